/**
 * The FLOPs of one training step, pass by pass: what bench/roofline.ts prices
 * at oneDNN's measured rates, and `deno task bench peak` measures.
 *
 * FLOPs are counted as direct convolution, 2 per multiply-add, the same for
 * each of a layer's three passes: forward, backward data (the input's
 * gradient) and backward weights. tfjs computes an input's gradient only
 * where the input depends on a trained variable (its tape prunes the others),
 * so the first convolution, which reads the images, has no backward-data
 * pass. Everything else (batch norm, ReLU, pooling, Adam) counts zero FLOPs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvPass, ConvShape } from "../backends/native/mod.ts";
import type { Layer, LayersModel, SymbolicTensor } from "../core/tf_types.ts";
import type { PeakOp } from "./peak_store.ts";

/** One pass of one layer in a training step. */
export interface CostPass {
  /** The layer's name. */
  readonly layer: string;
  /** Which of its passes. */
  readonly pass: ConvPass;
  /** What runs: the convolution, or the matrix product of a dense layer's pass. */
  readonly op: PeakOp;
  /** Floating-point operations, direct convolution, for the whole batch. */
  readonly flops: number;
}

/** The FLOPs of one training step of a model. */
export interface TrainingCost {
  /** Images per step. */
  readonly batch: number;
  /** Every pass, layer by layer: forward, backward data (where taken), backward weights. */
  readonly passes: readonly CostPass[];
  /** All passes. */
  readonly trainFlops: number;
  /** Forward passes: one inference of the batch. */
  readonly inferFlops: number;
}

const pair = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];

/** The convolution `layer` runs on a batch of `batch`, with tfjs's own pads. */
function convShape(layer: Layer, batch: number): ConvShape {
  const c = layer.getConfig();
  const [, height, width, inChannels] = (layer.input as SymbolicTensor).shape as number[];
  const why = c.dataFormat !== "channelsLast"
    ? `data format ${c.dataFormat}`
    : pair(c.dilationRate).some((d) => d !== 1)
    ? `dilation ${c.dilationRate}`
    : c.padding !== "same" && c.padding !== "valid"
    ? `padding ${c.padding}`
    : undefined;
  if (why !== undefined) {
    throw new RangeError(
      `roofline: layer '${layer.name}' has ${why}; only channels-last, undilated convolutions ` +
        `with 'same' or 'valid' padding are counted`,
    );
  }
  const kernel = pair(c.kernelSize), strides = pair(c.strides);
  const outChannels = c.filters as number;
  const p = tf.backend_util.computeConv2DInfo(
    [batch, height, width, inChannels],
    [kernel[0], kernel[1], inChannels, outChannels],
    strides,
    1,
    c.padding as "same" | "valid",
  ).padInfo;
  return {
    batch,
    height,
    width,
    inChannels,
    outChannels,
    kernel,
    strides,
    pads: [p.top, p.bottom, p.left, p.right],
    bias: c.useBias === true,
  };
}

/** Direct-convolution FLOPs of one pass of `s`. */
export function convFlops(s: ConvShape): number {
  const outH = Math.floor((s.height + s.pads[0] + s.pads[1] - s.kernel[0]) / s.strides[0]) + 1;
  const outW = Math.floor((s.width + s.pads[2] + s.pads[3] - s.kernel[1]) / s.strides[1]) + 1;
  return 2 * s.batch * outH * outW * s.outChannels * s.inChannels * s.kernel[0] * s.kernel[1];
}

/** The passes of one layer: forward, then backward data where its input is trained, then weights. */
function layerPasses(layer: Layer, batch: number, inputTrained: boolean): CostPass[] {
  const passes: ConvPass[] = ["forward"];
  if (inputTrained) passes.push("backwardData");
  if (layer.trainable && layer.trainableWeights.length > 0) passes.push("backwardWeights");
  if (layer.getClassName() === "Conv2D") {
    const shape = convShape(layer, batch);
    const op: PeakOp = { kind: "conv", shape };
    return passes.map((pass) => ({ layer: layer.name, pass, op, flops: convFlops(shape) }));
  }
  // Dense, y = x·W: dx = dy·Wᵀ, dW = xᵀ·dy (tfjs's matMul gradients), each 2·batch·in·units.
  const inputs = (layer.input as SymbolicTensor).shape.at(-1) as number;
  const units = layer.getConfig().units as number;
  const gemm = {
    forward: { m: batch, n: units, k: inputs, transA: false, transB: false },
    backwardData: { m: batch, n: inputs, k: units, transA: false, transB: true },
    backwardWeights: { m: inputs, n: units, k: batch, transA: true, transB: false },
  };
  return passes.map((pass) => ({
    layer: layer.name,
    pass,
    op: { kind: "gemm", shape: gemm[pass] },
    flops: 2 * batch * inputs * units,
  }));
}

/**
 * The convolution and dense passes of one training step of `model` on a
 * batch of `batch`, with their direct-convolution FLOPs (module notes).
 *
 * @throws {RangeError} for a batch that is not a positive integer, or a layer it cannot count
 * @example
 * ```ts
 * import { buildModel } from "../models/mod.ts";
 * import { trainingCost } from "./training_cost.ts";
 * const model = buildModel("baseline_cnn");
 * const cost = trainingCost(model, 64);
 * console.log((cost.trainFlops / cost.inferFlops).toFixed(2)); // just under 3
 * model.dispose();
 * ```
 */
export function trainingCost(model: LayersModel, batch: number): TrainingCost {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`roofline: 'batch' must be a positive integer, got ${batch}`);
  }
  // A layer is trained when it, or a layer it reads, has trained weights.
  const trained = new Set<Layer>();
  const passes: CostPass[] = [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (layer instanceof tf.LayersModel) {
      throw new RangeError(
        `roofline: layer '${layer.name}' is a nested model, which is not counted`,
      );
    }
    const inputTrained = layer.inboundNodes.some((n) =>
      n.inboundLayers.some((l) => trained.has(l))
    );
    if (inputTrained || (layer.trainable && layer.trainableWeights.length > 0)) trained.add(layer);
    if (kind === "Conv2D" || kind === "Dense") {
      passes.push(...layerPasses(layer, batch, inputTrained));
    }
  }
  const sum = (ps: CostPass[]) => ps.reduce((s, p) => s + p.flops, 0);
  return {
    batch,
    passes,
    trainFlops: sum(passes),
    inferFlops: sum(passes.filter((p) => p.pass === "forward")),
  };
}
