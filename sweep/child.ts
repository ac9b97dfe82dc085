/**
 * A member trained in a child process: `deno run … tasks/cli.ts train --resume
 * <member dir>`, which trains a fresh member from its config.yaml, resumes an
 * interrupted one exactly from checkpoints/last and does nothing for a
 * finished one. Its output is passed on line by line; its thread count is set
 * in its environment (OpenMP and the native backend read `OMP_NUM_THREADS`).
 *
 * The child is supervised through its standard input: with
 * `SKIPLAB_SUPERVISED=1` it saves checkpoints/last after the current step and
 * exits once that pipe closes. The pipe closes when the parent asks the child
 * to stop, and also when the parent dies, even by `kill -9`, so a member never
 * goes on training after the worker that owned it is gone.
 * @module
 */

/** A running member process. */
export interface MemberProcess {
  /** The process id. */
  readonly pid: number;
  /** Resolves to the exit code (128 + signal number when killed by a signal). */
  readonly status: Promise<number>;
  /** Asks the child to save checkpoints/last after its current step and exit. */
  stop(): void;
}

/** Options of {@linkcode startMember}. */
export interface StartOptions {
  /** The command: program (absolute) and arguments. */
  readonly argv: readonly string[];
  /** Threads for the child (OpenMP and oneDNN). */
  readonly threads: number;
  /** More environment variables for the child (e.g. the run lock it writes under). */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives each line the child prints (`\r`-updates as lines), with the stream it came on. */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };

async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split(/\r\n|\r|\n/);
    rest = parts.pop()!;
    for (const p of parts) if (p.trim() !== "") onLine(p);
  }
  if (rest.trim() !== "") onLine(rest);
}

/** Starts a member process. */
export function startMember(options: StartOptions): MemberProcess {
  const { argv, threads } = options;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`Cannot start a member: threads must be an integer >= 1, got ${threads}`);
  }
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: {
      ...options.env,
      OMP_NUM_THREADS: String(threads),
      SKIPLAB_SUPERVISED: "1",
      NO_COLOR: "1",
    },
  }).spawn();
  const onLine = options.onLine ?? (() => {});
  const stdin = child.stdin.getWriter();
  let stopped = false;
  const output = Promise.all([
    pump(child.stdout, (l) => onLine(l, "stdout")),
    pump(child.stderr, (l) => onLine(l, "stderr")),
  ]);
  const status = child.status.then(async (s) => {
    await output;
    if (!stopped) await stdin.close().catch(() => {});
    return s.signal ? 128 + (SIGNALS[s.signal] ?? 0) : s.code;
  });
  return {
    pid: child.pid,
    status,
    stop() {
      if (stopped) return;
      stopped = true;
      stdin.close().catch(() => {});
    },
  };
}
