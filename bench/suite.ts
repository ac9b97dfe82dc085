/**
 * What a benchmark suite is and what it measures, shared by bench/main.ts
 * (which runs the suites) and each suite (which imports nothing from main).
 * @module
 */

/** One measured number. */
export interface BenchRow {
  /** Suite that measured it. */
  readonly suite: string;
  /** What was measured, e.g. `pipeline+flip+brightness`. */
  readonly name: string;
  /** The number. */
  readonly value: number;
  /** Its unit, e.g. `images/s`, `MB`. */
  readonly unit: string;
  /** Conditions worth reading with the number (backend, batch size…). */
  readonly note?: string;
}

/** A benchmark suite. */
export interface Suite {
  /** One line saying what it measures. */
  readonly description: string;
  /** Measures and returns its rows; `args` are the command-line flags, parsed by the suite (non-strictly). */
  run(args: string[]): Promise<BenchRow[]>;
}
