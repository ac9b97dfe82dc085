/**
 * `probes/gradient-norms`: the L2 norm of each layer's gradient, the measure
 * of gradient flow the paper compares between plain and residual networks,
 * on the main-path depth axis the trainer gives each gradient (models/depth_axis.ts).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import type { NamedGradient, Row, StepContext } from "../../train/types.ts";
import { parseState } from "../_state.ts";
import { definePlugin, type PluginFactory } from "../plugin.ts";

const NAME = "probes/gradient-norms";

/** Options of {@linkcode gradientNorms}, validated. */
export interface GradientNormsOptions {
  /** One norm per weight (`kernel`, `bias`, …) instead of one per layer. @default false */
  readonly per_weight: boolean;
  /**
   * Record the mean over every `every` steps (an integer ≥ 1) instead of over
   * each epoch. @default undefined (one row per layer and epoch)
   */
  readonly every?: number;
  /**
   * Which layers: `weights`, the convolutions and dense layers (the layers a
   * depth axis counts; their biases go with their kernels), or `all`
   * trainable layers, batch norm included (at the depth of its convolution).
   * @default "weights"
   */
  readonly layers: "weights" | "all";
}

const schema = z.strictObject({
  per_weight: z.boolean().default(false),
  every: z.number().int().min(1).optional(),
  layers: z.enum(["weights", "all"]).default("weights"),
});

// A window in progress, so a run resumed mid-epoch records the same norms.
const stateSchema = z.object({
  signature: z.string(),
  epoch: z.number().int(),
  steps: z.number().int().min(0),
  lastStep: z.number().int(),
  sums: z.array(z.number()).nullable(),
});

interface Group {
  readonly layer: string;
  readonly weight: string | undefined;
  readonly path: "main" | "shortcut";
  readonly depth: number;
  readonly members: number[];
}

type Point = "init" | "epoch" | "final";

/**
 * Records rows `{ point, epoch, step, layer, path, depth, norm }` into the
 * `gradients` table: the L2 norm of a layer's gradient (all its weights
 * together, or one row per weight with a `weight` column when `per_weight`).
 *
 * - `point` `init`: the first batch of a fresh run, before any update
 *   (epoch 0, step 0); `epoch`: averaged over the steps of each epoch (`step`
 *   -1) or of every `every` steps (`step` is the window's last step);
 *   `final`: one batch with the final weights (the trainer's
 *   `afterFinalGradients`: the best weights when a plugin kept them and a
 *   test set is evaluated, else the last; `epoch` is the last trained, `step` -1).
 * - `depth` is the main-path axis (`NamedGradient.depth`, from models/depth_axis.ts): the stem, each
 *   block's convolutions and the classifier, input first, 0-based; it names
 *   the same layer in resnet18 and resnet18_noskip (and counts every kernel
 *   layer of baseline_cnn). `path` is `main`, or `shortcut` for a projection
 *   shortcut (`…_proj_conv`), placed at the depth of its block's last
 *   convolution, so it is a series of its own beside the main path.
 *
 * Norms are summed on the device and read back once per row batch, never per
 * step.
 *
 * @example Per-weight norms every 50 steps
 * ```ts
 * import { gradientNorms } from "./gradient_norms.ts";
 * const plugin = gradientNorms.create(
 *   gradientNorms.schema.parse({ per_weight: true, every: 50 }),
 * );
 * console.log(plugin.name); // probes/gradient-norms
 * ```
 */
export const gradientNorms: PluginFactory<GradientNormsOptions> = definePlugin({
  name: NAME,
  description: "Records the L2 norm of each layer's gradient per epoch or every N steps",
  schema,
  create(o) {
    let signature = "";
    let groups: Group[] = [];
    let sums: tf.Tensor1D | undefined; // per group, summed over the steps of the window
    let steps = 0;
    let epoch = 0;
    let lastStep = -1;

    /** Reads the window's sums back once and records one row per group. */
    async function flush(record: (row: Row) => void, step: number): Promise<void> {
      if (!sums || steps === 0) return;
      const [held, count] = [sums, steps];
      sums = undefined;
      steps = 0;
      const values = await held.data();
      held.dispose();
      recordRows(record, "epoch", step, values, count);
    }

    function recordRows(
      record: (row: Row) => void,
      point: Point,
      step: number,
      values: ArrayLike<number>,
      count: number,
    ): void {
      groups.forEach((g, i) => {
        const row: Row = { point, epoch, step, layer: g.layer };
        if (g.weight !== undefined) row.weight = g.weight;
        record({ ...row, path: g.path, depth: g.depth, norm: values[i] / count });
      });
    }

    /** Per group, the L2 norm of one step's gradients (a tensor the caller owns). */
    function norms(grads: readonly NamedGradient[]): tf.Tensor1D {
      return tf.tidy(() => {
        const squares = groups.map((g) => {
          const parts = g.members.map((i) => tf.sum(tf.square(grads[i].grad)));
          return parts.length === 1 ? parts[0] : tf.addN(parts);
        });
        return tf.sqrt(tf.stack(squares)) as tf.Tensor1D;
      });
    }

    function regroup(grads: readonly NamedGradient[]): void {
      const byKey = new Map<string, Group>();
      const weighted = new Set(grads.filter((g) => g.weight === "kernel").map((g) => g.layer));
      grads.forEach((g, i) => {
        if (o.layers === "weights" && !weighted.has(g.layer)) return;
        const key = o.per_weight ? `${g.layer}\u0000${g.weight}` : g.layer;
        let group = byKey.get(key);
        if (!group) {
          group = {
            layer: g.layer,
            weight: o.per_weight ? g.weight : undefined,
            path: g.path,
            depth: g.depth,
            members: [],
          };
          byKey.set(key, group);
        }
        group.members.push(i);
      });
      groups = [...byKey.values()];
    }

    return {
      name: NAME,
      async afterGradients(grads, ctx: StepContext) {
        const sig = grads.map((g) => `${g.layer}/${g.weight}`).join("|");
        if (groups.length === 0 && sig === signature) regroup(grads); // just restored
        if (sig !== signature || ctx.epoch !== epoch) {
          // A new epoch (or, unexpectedly, a new set of weights): close the old window first.
          await flush((row) => ctx.record("gradients", row), o.every ? lastStep : -1);
          if (sig !== signature) regroup(grads);
          signature = sig;
          epoch = ctx.epoch;
        }
        const step = norms(grads);
        // Before any update: the gradient flow of the initialisation itself (the run's one
        // read of a single step; every other row is read once per window).
        if (ctx.globalStep === 0 && !ctx.resumedFrom) {
          recordRows((row) => ctx.record("gradients", row), "init", 0, await step.data(), 1);
        }
        const previous = sums;
        sums = previous ? tf.tidy(() => tf.add(previous, step)) : tf.keep(step);
        if (previous) step.dispose();
        previous?.dispose();
        steps++;
        lastStep = ctx.step;
        if (o.every && steps === o.every) {
          await flush((row) => ctx.record("gradients", row), ctx.step);
        }
      },
      async onEpochEnd(_metrics, ctx) {
        await flush((row) => ctx.record("gradients", row), o.every ? lastStep : -1);
      },
      async afterFinalGradients(grads, ctx) {
        const sig = grads.map((g) => `${g.layer}/${g.weight}`).join("|");
        if (sig !== signature || groups.length === 0) regroup(grads);
        const step = norms(grads);
        try {
          recordRows((row) => ctx.record("gradients", row), "final", -1, await step.data(), 1);
        } finally {
          step.dispose();
        }
      },
      async getState() {
        return {
          signature,
          epoch,
          steps,
          lastStep,
          sums: sums ? Array.from(await sums.data()) : null,
        };
      },
      setState(state) {
        const saved = parseState(NAME, stateSchema, state);
        sums?.dispose();
        sums = saved.sums ? tf.keep(tf.tensor1d(saved.sums, "float32")) : undefined;
        ({ signature, epoch, steps, lastStep } = saved);
        groups = [];
      },
      teardown() {
        sums?.dispose();
        sums = undefined;
        steps = 0;
      },
    };
  },
});
