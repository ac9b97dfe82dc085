/**
 * Test helpers for sweeps: the CLI in a child process with its stderr lines
 * (timed), waiting for a condition, and the exact columns of a history.
 * @module
 */

/** A CLI process and what it printed on stderr. */
export interface Proc {
  readonly child: Deno.ChildProcess;
  /** Lines of stderr so far, with the time each arrived. */
  readonly lines: { at: number; text: string }[];
  /** Resolves to the exit code once the process ended and its output was read. */
  readonly done: Promise<number>;
}

/** Starts `deno run -A tasks/cli.ts …args`. */
export function cli(args: string[]): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/cli.ts", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: Proc["lines"] = [];
  const read = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const text of parts) lines.push({ at: Date.now(), text });
    }
  })();
  const done = Promise.all([child.status, read]).then(([s]) => s.code);
  return { child, lines, done };
}

/** Everything a process printed on stderr. */
export const log = (p: Proc): string => p.lines.map((l) => l.text).join("\n");

/** Kills a process if it still runs and waits for it. */
export async function reap(p: Proc): Promise<void> {
  try {
    p.child.kill("SIGKILL");
  } catch { /* already exited */ }
  await p.done.catch(() => {});
}

/** Whether a path exists. */
export const exists = (p: string): Promise<boolean> => Deno.stat(p).then(() => true, () => false);

/** Waits until `check` holds, polling every 50 ms. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 120_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Columns a resumed run reproduces exactly (time and memory differ). */
const EXACT = ["epoch", "loss", "acc", "val_loss", "val_acc", "lr"];

/** The exact columns of a run's history.csv, one array per epoch. */
export async function history(dir: string): Promise<string[][]> {
  const [head, ...rows] = (await Deno.readTextFile(`${dir}/history.csv`)).trim().split("\n")
    .map((l) => l.split(","));
  return rows.map((r) => EXACT.map((c) => r[head.indexOf(c)]));
}

/** A base experiment of tiny members that checkpoint every epoch. */
export const TINY_BASE = `name: base
model: baseline_cnn
model_options: { width: 0.125 }
data: { source: synthetic, limit: 512 }
epochs: 3
batch_size: 32
init: he
plugins:
  - name: callbacks/model-checkpoint
    options: { monitor: val_loss }
`;
