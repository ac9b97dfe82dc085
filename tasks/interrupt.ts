/**
 * Ctrl-C and SIGTERM (how Slurm and Kubernetes stop a job) both ask a command
 * to stop after its current step (a run saves `checkpoints/last`); a second
 * signal quits at once. A sweep's member, supervised through its standard
 * input (sweep/child.ts), stops the same way when the pipe closes.
 * @module
 */

/** A stop signal for one command, with the exit status it should end with. */
export interface Interruptible {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM or a lost supervisor. */
  exitCode(): number;
  /** Removes the listeners. */
  [Symbol.dispose](): void;
}

/** Listens for SIGINT and SIGTERM (and a closed supervisor pipe) until disposed. */
export function interruptible(): Interruptible {
  const ctl = new AbortController();
  let code = 130;
  const signals = Deno.build.os === "windows"
    ? ["SIGINT"] as const
    : ["SIGINT", "SIGTERM"] as const;
  const listeners = signals.map((sig) => {
    const on = () => {
      if (ctl.signal.aborted) Deno.exit(sig === "SIGINT" ? 130 : 143);
      code = sig === "SIGINT" ? 130 : 143;
      console.error(
        `\n${sig === "SIGINT" ? "interrupt" : "SIGTERM"}: saving checkpoints/last after this ` +
          "step (signal again to quit now)",
      );
      ctl.abort();
    };
    Deno.addSignalListener(sig, on);
    return [sig, on] as const;
  });
  if (Deno.env.get("SKIPLAB_SUPERVISED") === "1") {
    (async () => {
      const buf = new Uint8Array(256);
      while ((await Deno.stdin.read(buf).catch(() => null)) !== null) { /* drain */ }
      if (ctl.signal.aborted) return;
      code = 143;
      console.error("\nsupervisor gone: saving checkpoints/last after this step");
      ctl.abort();
    })();
  }
  return {
    signal: ctl.signal,
    exitCode: () => code,
    [Symbol.dispose]: () => listeners.forEach(([sig, on]) => Deno.removeSignalListener(sig, on)),
  };
}
