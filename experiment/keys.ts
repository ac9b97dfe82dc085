/**
 * The one spelling rule of settings: a command-line flag is kebab-case
 * (`--batch-size`), the experiment YAML key snake_case (`batch_size`), the
 * TypeScript option camelCase (`batchSize`). Every crossing between the three
 * goes through these functions, never a hand-written table of names.
 * @module
 */

/** A snake_case string type spelled in camelCase: `"weight_decay"` → `"weightDecay"`. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;

/** An object type whose snake_case keys are spelled in camelCase; values are kept (per union member). */
export type CamelKeys<T> = T extends unknown
  ? { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] }
  : never;

/**
 * The YAML key of a flag: `"batch-size"` → `"batch_size"`.
 *
 * @example
 * ```ts
 * import { keyOfFlag } from "./keys.ts";
 * console.log(keyOfFlag("batch-size")); // batch_size
 * ```
 */
export function keyOfFlag(flag: string): string {
  return flag.replaceAll("-", "_");
}

/**
 * The flag of a YAML key: `"batch_size"` → `"batch-size"`.
 *
 * @example
 * ```ts
 * import { flagOfKey } from "./keys.ts";
 * console.log(flagOfKey("val_size")); // val-size
 * ```
 */
export function flagOfKey(key: string): string {
  return key.replaceAll("_", "-");
}

/**
 * The TypeScript spelling of a YAML key: `"peak_factor"` → `"peakFactor"`.
 *
 * @example
 * ```ts
 * import { camelOfKey } from "./keys.ts";
 * console.log(camelOfKey("weight_decay")); // weightDecay
 * ```
 */
export function camelOfKey<S extends string>(key: S): CamelCase<S> {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

/**
 * A copy of a YAML mapping with its keys in TypeScript spelling (one level;
 * values are kept as they are), e.g. an experiment's `optimizer` section as
 * the trainer's optimiser options.
 *
 * @example
 * ```ts
 * import { camelKeys } from "./keys.ts";
 * const o = camelKeys({ type: "sgd", lr: 0.1, weight_decay: 5e-4 });
 * console.log(o.weightDecay); // 0.0005
 * ```
 */
export function camelKeys<T extends object>(section: T): CamelKeys<T> {
  return Object.fromEntries(
    Object.entries(section).map(([k, v]) => [camelOfKey(k), v]),
  ) as CamelKeys<T>;
}
