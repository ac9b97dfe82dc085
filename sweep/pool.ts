/**
 * Local parallelism: members side by side as child processes, the cores divided
 * between them so that N workers never ask for more threads than the machine has.
 * @module
 */

/**
 * Threads each of `workers` processes gets on a machine with `cores` hardware
 * threads: an equal share, at least one.
 * @throws {RangeError} when there are more workers than cores (they would
 *   oversubscribe the machine), naming both numbers.
 * @example
 * ```ts
 * import { threadsPerWorker } from "./pool.ts";
 * console.log(threadsPerWorker(2, 8)); // 4
 * ```
 */
export function threadsPerWorker(workers: number, cores: number): number {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`--workers must be an integer >= 1, got ${workers}`);
  }
  if (workers > cores) {
    throw new RangeError(
      `--workers ${workers}: this machine has ${cores} hardware threads, so at most ${cores} ` +
        "workers can run without oversubscribing it",
    );
  }
  return Math.floor(cores / workers);
}

/**
 * Runs `task` for every item, at most `workers` at once, in order of the
 * items; `slot` (0 … workers − 1) tells which worker runs it. Stops starting
 * new items once `signal` aborts; resolves when every started item has
 * settled, with each item's result or error.
 */
export async function runPool<T, R>(
  items: readonly T[],
  workers: number,
  task: (item: T, slot: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  let next = 0;
  const lane = async (slot: number) => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await task(items[i], slot) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, (_, s) => lane(s)));
  return results;
}
