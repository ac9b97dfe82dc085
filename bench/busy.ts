/**
 * Processes that keep cores busy, to measure on shared cores (`deno task
 * bench train --busy N`, and the native backend's thread tests).
 *
 * @module
 */

/** Starts `n` processes (`sh` loops) that each keep a core busy until the returned function stops them. */
export function busyProcesses(n: number): () => Promise<void> {
  const children = Array.from(
    { length: n },
    () => new Deno.Command("sh", { args: ["-c", "while :; do :; done"], stdout: "null" }).spawn(),
  );
  return async () => {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.status));
  };
}
