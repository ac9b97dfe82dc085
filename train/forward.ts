/**
 * A functional model's forward pass as skiplab runs it, in training and in
 * inference:
 *
 * - Every intermediate tensor is freed as soon as its last reader has run.
 *   tfjs runs a model inside one `tidy` and, in training mode, disposes no
 *   intermediate until the whole pass returns, so every layer's output is
 *   alive at its end, those no gradient needs included (a batch norm's output
 *   once its ReLU has run, a residual sum). What a gradient needs it has saved
 *   for itself. With skiplab's convolutions (layers/conv2d.ts), resnet18's
 *   training step at batch 64 holds at most 476 MB of tensors instead of 744.
 * - In inference, outside gradients, a convolution followed by a batch norm
 *   (and a ReLU) that nothing else reads runs as one convolution: the batch
 *   norm's scale folded into the filter and its shift into the bias, the ReLU
 *   applied by the kernel. A residual block's end (convolution, batch norm,
 *   the shortcut's Add and the ReLU) runs as one convolution that adds the
 *   shortcut too (core/conv2d_add_relu.ts, where the backend has it): resnet20
 *   skips 9 Adds and 9 ReLUs a pass.
 * - In training (and under a gradient), a batch norm whose output only a ReLU
 *   reads runs with the ReLU in it (layers/batch_norm.ts): on the native
 *   backend one kernel, which spares the ReLU's pass over the activation each
 *   way.
 * - The folded filters and biases are kept between inference passes while the
 *   weights they were made from stay the same tensors (each optimiser step and
 *   checkpoint load assigns new ones), so an evaluation folds once, not once
 *   per batch (resnet20 ran 114 small ops a pass for it). A training pass, or
 *   the forward function's `release()`, frees them.
 *
 * Models this does not cover (several inputs or outputs, a layer applied more
 * than once, a layer with several outputs) run through tfjs's `apply`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2d, type ConvFields, convFields } from "../layers/conv2d.ts";
import { takesRelu } from "../layers/batch_norm.ts";
import type { Layer, LayersModel, SymbolicTensor, Tensor, Tensor4D } from "../core/tf_types.ts";

/** One layer call of the pass, in an order where each runs after its inputs. */
interface Step {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly output: SymbolicTensor;
}

/** What the folding reads of tfjs's BatchNormalization layer. */
interface BatchNormFields {
  axis: number;
  epsilon: number;
  gamma?: { read(): Tensor } | null;
  beta?: { read(): Tensor } | null;
  movingMean: { read(): Tensor };
  movingVariance: { read(): Tensor };
}

/**
 * A convolution, the batch norm after it and maybe a ReLU, run as one
 * convolution; or a residual block's end: convolution, batch norm, the Add of
 * a shortcut and a ReLU, run as one convolution that adds the shortcut.
 */
interface Fold {
  readonly conv: ConvFields;
  readonly norm: BatchNormFields;
  readonly relu: boolean;
  /** The convolution's input, and the shortcut added before the ReLU. */
  readonly inputs: readonly [SymbolicTensor] | readonly [SymbolicTensor, SymbolicTensor];
  /** The step whose output the folded call gives (the batch norm's or the ReLU's). */
  readonly last: Step;
}

interface Plan {
  readonly input: SymbolicTensor;
  readonly output: SymbolicTensor;
  readonly steps: readonly Step[];
  /** How many steps read each symbolic tensor (by id), once per input slot. */
  readonly readers: ReadonlyMap<number, number>;
  /**
   * Folds by the step they run at (the convolution's; a residual fold's ReLU,
   * where the shortcut is ready), and the other steps they stand for.
   */
  readonly folds: ReadonlyMap<Step, Fold>;
  readonly folded: ReadonlySet<Step>;
  /** Outside folding: batch norms that apply the ReLU after them, by step, and that ReLU's step. */
  readonly reluAfter: ReadonlyMap<Step, Step>;
  /** Those ReLUs' steps, which an unfolded pass skips. */
  readonly reluFused: ReadonlySet<Step>;
}

/** The steps of `model`, or null when it is not a single-path functional graph. */
function planOf(model: LayersModel): Plan | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const [input, output] = [model.inputs[0], model.outputs[0]];
  const steps: Step[] = [];
  const readers = new Map<number, number>();
  const done = new Set<number>([input.id]);
  let ok = true;
  const visit = (t: SymbolicTensor) => {
    if (done.has(t.id) || !ok) return;
    done.add(t.id);
    const layer = t.sourceLayer as Layer;
    if (t.inputs.length === 0 || layer.inboundNodes.length !== 1 || Array.isArray(layer.output)) {
      ok = false; // Another input, a shared layer, or several outputs.
      return;
    }
    for (const i of t.inputs) {
      readers.set(i.id, (readers.get(i.id) ?? 0) + 1);
      visit(i);
    }
    steps.push({ layer, inputs: t.inputs, output: t });
  };
  visit(output);
  return ok ? { input, output, steps, readers, ...foldsOf(steps, readers, output) } : null;
}

/** The convolution → batch norm (→ ReLU) chains whose inner outputs only the next one reads. */
function foldsOf(
  steps: readonly Step[],
  readers: ReadonlyMap<number, number>,
  output: SymbolicTensor,
): Pick<Plan, "folds" | "folded" | "reluAfter" | "reluFused"> {
  const byInput = new Map<number, Step>();
  for (const s of steps) for (const i of s.inputs) byInput.set(i.id, s);
  // The one step reading `s`'s output, when that is all that reads it.
  const soleReader = (s: Step) =>
    s.output !== output && readers.get(s.output.id) === 1 ? byInput.get(s.output.id) : undefined;
  const isRelu = (s: Step | undefined) =>
    s !== undefined && s.layer.getClassName() === "ReLU" &&
    (s.layer as unknown as { maxValue?: number | null }).maxValue == null;
  const folds = new Map<Step, Fold>();
  const folded = new Set<Step>();
  const reluAfter = new Map<Step, Step>();
  for (const s of steps) {
    const next = soleReader(s);
    if (takesRelu(s.layer) && isRelu(next)) reluAfter.set(s, next!);
  }
  for (const s of steps) {
    const conv = convFields(s.layer);
    if (conv === null || conv.activation.getClassName() !== "linear") continue;
    const bn = soleReader(s);
    if (bn === undefined || bn.layer.getClassName() !== "BatchNormalization") continue;
    const norm = bn.layer as unknown as BatchNormFields;
    if (norm.axis !== -1 && norm.axis !== 3) continue;
    const next = soleReader(bn);
    const out = next?.layer.getClassName() === "Add" && next.inputs.length === 2 &&
        !folded.has(next)
      ? soleReader(next)
      : undefined;
    if (isRelu(out)) {
      // conv → bn → add(·, shortcut) → relu: one call at the ReLU's step, the shortcut computed.
      // The first branch in step order takes the Add; a projection shortcut folds on its own.
      const shortcut = next!.inputs.find((i) => i !== bn.output)!;
      folds.set(out!, { conv, norm, relu: true, inputs: [s.inputs[0], shortcut], last: out! });
      for (const done of [s, bn, next!]) folded.add(done);
      continue;
    }
    const relu = isRelu(next);
    const last = relu ? next! : bn;
    folds.set(s, { conv, norm, relu, inputs: [s.inputs[0]], last });
    folded.add(bn);
    if (relu) folded.add(next!);
  }
  return { folds, folded, reluAfter, reluFused: new Set(reluAfter.values()) };
}

/** A fold's filter and bias, and the weight tensors they were made from. */
interface Folded {
  readonly sources: readonly object[];
  readonly kernel: Tensor4D;
  readonly bias: Tensor;
}

/** The weight tensors a fold reads, by identity: an assignment makes new ones. */
function sourcesOf(fold: Fold): object[] {
  const { conv, norm } = fold;
  return [conv.kernel, conv.bias, norm.gamma, norm.beta, norm.movingMean, norm.movingVariance]
    .map((w) => w ? w.read().dataId : null) as object[];
}

/** The filter and bias of `fold`, folded from the current weights. */
function foldWeights(fold: Fold, sources: readonly object[]): Folded {
  const { conv, norm } = fold;
  const [kernel, bias] = tf.tidy(() => {
    const mean = norm.movingMean.read(), variance = norm.movingVariance.read();
    // y = (conv(x) + b − μ) · γ/√(σ² + ε) + β = conv(x; W·s) + (b − μ)·s + β.
    let scale = tf.rsqrt(tf.add(variance, norm.epsilon));
    if (norm.gamma) scale = tf.mul(scale, norm.gamma.read());
    const centred = conv.bias ? tf.sub(conv.bias.read(), mean) : tf.neg(mean);
    let shift = tf.mul(centred, scale);
    if (norm.beta) shift = tf.add(shift, norm.beta.read());
    return [tf.mul(conv.kernel.read(), scale) as Tensor4D, shift];
  });
  // Kept past any enclosing tidy until released (see the module notes).
  return { sources, kernel: tf.keep(kernel), bias: tf.keep(bias) };
}

/** Folded weights kept between inference passes, by fold. */
class FoldCache {
  readonly #entries = new Map<Fold, Folded>();

  /** `fold`'s weights, folded again only when one of its weight tensors changed. */
  get(fold: Fold): Folded {
    const sources = sourcesOf(fold);
    const have = this.#entries.get(fold);
    if (have !== undefined && have.sources.every((s, i) => s === sources[i])) return have;
    if (have !== undefined) tf.dispose([have.kernel, have.bias]);
    const made = foldWeights(fold, sources);
    this.#entries.set(fold, made);
    return made;
  }

  release(): void {
    for (const f of this.#entries.values()) tf.dispose([f.kernel, f.bias]);
    this.#entries.clear();
  }
}

/**
 * The folded convolution of `fold` on `x`, adding `residual` before the ReLU
 * if given; `reuse`: the residual is disposed right after and nothing else reads it.
 */
function foldedCall(
  fold: Fold,
  folds: FoldCache,
  x: Tensor,
  residual?: Tensor,
  reuse = false,
): Tensor {
  const { kernel, bias } = folds.get(fold);
  return conv2d(x as Tensor4D, kernel, {
    strides: fold.conv.strides,
    pad: fold.conv.padding as "same" | "valid",
    bias,
    activation: fold.relu ? "relu" : "linear",
    residual,
    reuseResidual: reuse,
  });
}

/** A model's forward pass (see {@linkcode forwardOf}). */
export interface Forward {
  (xs: Tensor, training: boolean): Tensor;
  /** Frees what inference passes keep between calls (the folded weights); the next pass folds anew. */
  release(): void;
}

/**
 * The function running `model` forward (the layer calls of
 * `model.apply(xs, { training })`, within float rounding where inference
 * folds batch norms), freeing intermediates early (see the module notes).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { forwardOf } from "./forward.ts";
 * const x = tf.input({ shape: [4] });
 * const h = tf.layers.dense({ units: 8, activation: "relu" }).apply(x) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor });
 * console.log(forwardOf(model)(tf.ones([3, 4]), true).shape); // [3, 2]
 * ```
 */
export function forwardOf(model: LayersModel): Forward {
  const plan = planOf(model);
  if (plan === null) {
    return Object.assign(
      (xs: Tensor, training: boolean) => model.apply(xs, { training }) as Tensor,
      {
        release() {},
      },
    );
  }
  const folds = new FoldCache();
  return Object.assign((xs: Tensor, training: boolean) => run(plan, folds, xs, training), {
    release: () => folds.release(),
  });
}

function run(plan: Plan, folds: FoldCache, xs: Tensor, training: boolean): Tensor {
  // Folding changes no gradient only where none is taken.
  const fold = !training && tf.engine().state.gradientDepth === 0 && plan.folds.size > 0;
  // Training changes the weights: what inference kept is stale, and its memory is the step's.
  if (!fold) folds.release();
  const values = new Map<number, Tensor>([[plan.input.id, xs]]);
  // Reads still to come of each value (a layer may return its input itself).
  const pending = new Map<Tensor, number>();
  const hold = (t: Tensor, n: number) => pending.set(t, (pending.get(t) ?? 0) + n);
  hold(xs, Infinity);
  try {
    for (const step of plan.steps) {
      // Unfolded, the ReLUs after batch norms run in them.
      if (fold ? plan.folded.has(step) : plan.reluFused.has(step)) continue;
      const f = fold ? plan.folds.get(step) : undefined;
      const relu = fold ? undefined : plan.reluAfter.get(step);
      const ins = (f?.inputs ?? step.inputs).map((s) => values.get(s.id)!);
      // A shortcut read last here (not the pass's input, not the convolution's) may hold the sum.
      const last = ins[1] !== undefined && ins[1] !== ins[0] && pending.get(ins[1]) === 1;
      const out = f
        ? foldedCall(f, folds, ins[0], ins[1], last)
        : step.layer.apply(ins, relu ? { training, relu: true } : { training }) as Tensor;
      const made = (f?.last ?? relu ?? step).output;
      values.set(made.id, out);
      hold(out, made === plan.output ? Infinity : plan.readers.get(made.id) ?? 0);
      for (const v of ins) {
        const left = pending.get(v)! - 1;
        pending.set(v, left);
        if (left === 0) v.dispose();
      }
    }
    return values.get(plan.output.id)!;
  } catch (e) {
    // Nothing of a failed pass outlives it.
    for (const [t, left] of pending) if (left !== Infinity && !t.isDisposed) t.dispose();
    throw e;
  }
}
