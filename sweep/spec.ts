/**
 * The sweep file: a base experiment, fixed overrides, and the axes — `grid`
 * (every combination of listed values of dotted keys), `random` (a seeded
 * number of draws from distributions) and `seeds`. The schema is strict, so an
 * unknown key is an error; whether a swept key exists in an experiment is
 * checked when every member is validated as an experiment.
 *
 * ```yaml
 * name: lr-width                 # the sweep's folder: <out>/<name>
 * experiment: base.yaml          # relative to this file; it may `extends:` another
 * set: { data: { source: synthetic } }   # fixed for every member
 * grid:
 *   optimizer.lr: [0.001, 0.0003]
 *   plugins.callbacks/early-stopping.patience: [3, 7]
 * random:
 *   count: 4
 *   seed: 1
 *   axes:
 *     model_options.dropout: { uniform: [0, 0.5] }
 *     batch_size: { int: [32, 128] }
 * seeds: [0, 1]                  # or a count: 3 means seeds 0, 1, 2
 * ```
 * @module
 */
import { z } from "zod";

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const key = z.string().regex(
  /^[\w-]+(\.[\w/-]+)*$/,
  "a dotted key path such as 'optimizer.lr' or 'plugins.callbacks/early-stopping.patience'",
);
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, {
  message: "a range [low, high] needs low < high",
});

/** A distribution of one random axis. */
export type Distribution =
  | { readonly uniform: readonly [number, number] }
  | { readonly log_uniform: readonly [number, number] }
  | { readonly int: readonly [number, number] }
  | { readonly choice: readonly (string | number | boolean)[] };

const distribution = z.union([
  z.strictObject({ uniform: range }),
  z.strictObject({
    log_uniform: range.refine(([lo]) => lo > 0, { message: "log_uniform needs low > 0" }),
  }),
  z.strictObject({
    int: z.tuple([z.int(), z.int()]).refine(([lo, hi]) => lo <= hi, {
      message: "an integer range [low, high] needs low <= high",
    }),
  }),
  z.strictObject({ choice: z.array(scalar).min(1) }),
], {
  error:
    "one of { uniform: [lo, hi] }, { log_uniform: [lo, hi] }, { int: [lo, hi] }, { choice: [...] }",
});

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

// Not exported: the public API names no zod types.
const SWEEP_SCHEMA = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '_', '-', '.' only"),
  experiment: z.string().min(1),
  set: z.record(z.string(), z.unknown()).default({}),
  grid: z.record(
    key,
    z.array(scalar).min(1).refine(unique, { message: "values must differ from each other" }),
  ).default({}),
  random: z.strictObject({
    count: z.int().min(1).max(10000),
    seed: z.int().min(0).default(0),
    axes: z.record(key, distribution).refine((a) => Object.keys(a).length > 0, {
      message: "name at least one axis",
    }),
  }).optional(),
  seeds: z.union([
    z.int().min(1).max(1000).transform((n) => Array.from({ length: n }, (_, i) => i)),
    z.array(z.int().min(0)).min(1).refine(unique, { message: "seeds must differ" }),
  ]).optional(),
  out: z.string().min(1).default("runs"),
});

/** A validated sweep file. */
export interface SweepSpec {
  /** The sweep's name: its folder is `<out>/<name>`. */
  readonly name: string;
  /** The base experiment file, as written (relative to the sweep file). */
  readonly experiment: string;
  /** Overrides of the base applied to every member (experiment keys, nested). */
  readonly set: Readonly<Record<string, unknown>>;
  /** Grid axes: every combination of these values. */
  readonly grid: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  /** Random axes: `count` seeded draws. */
  readonly random?: {
    /** How many draws. */
    readonly count: number;
    /** The seed of the draws. */
    readonly seed: number;
    /** The distribution of each random key. */
    readonly axes: Readonly<Record<string, Distribution>>;
  };
  /** Seeds every setting is trained with; absent: the experiment's own seed. */
  readonly seeds?: readonly number[];
  /** The folder holding the sweep's folder. */
  readonly out: string;
}

/** One problem of a sweep file: its key path and what is wrong. */
export interface SweepIssue {
  /** Key path in the sweep file, e.g. `["grid", "optimizer.lr", 1]`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong. */
  readonly message: string;
}

/**
 * Validates a parsed sweep file: the schema, then rules between axes (a key
 * swept twice, `seed` swept besides `seeds`).
 */
export function parseSweepSpec(
  value: unknown,
): { spec: SweepSpec; issues: [] } | { spec: undefined; issues: SweepIssue[] } {
  const r = SWEEP_SCHEMA.safeParse(value);
  if (!r.success) {
    return {
      spec: undefined,
      issues: r.error.issues.map((i) => {
        const keys = i.code === "unrecognized_keys" ? i.keys : [];
        return {
          path: [...i.path, ...keys.slice(0, 1)],
          message: keys.length ? `unknown key '${keys.join("', '")}'` : i.message,
        };
      }),
    };
  }
  const spec = r.data as SweepSpec;
  const issues: SweepIssue[] = [];
  const randomKeys = Object.keys(spec.random?.axes ?? {});
  for (const k of randomKeys) {
    if (k in spec.grid) {
      issues.push({
        path: ["random", "axes", k],
        message: `'${k}' is swept by both grid and random; keep one`,
      });
    }
  }
  const all = [...Object.keys(spec.grid), ...randomKeys];
  if (spec.seeds && all.includes("seed")) {
    const path = "seed" in spec.grid ? ["grid", "seed"] : ["random", "axes", "seed"];
    issues.push({ path, message: "'seed' is swept besides 'seeds'; keep one" });
  }
  for (const k of all) {
    const other = all.find((o) => o !== k && o.startsWith(`${k}.`));
    if (other) {
      const path = k in spec.grid ? ["grid", k] : ["random", "axes", k];
      issues.push({ path, message: `'${k}' contains the swept key '${other}'; sweep one of them` });
    }
  }
  return issues.length ? { spec: undefined, issues } : { spec, issues: [] };
}
