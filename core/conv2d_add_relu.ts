/**
 * The contract of the residual convolution kernel, shared by the convolution
 * that calls it (layers/conv2d.ts, for train/forward.ts's folded inference)
 * and the backends that implement it (backends/native).
 * @module
 */

/**
 * Kernel computing `relu(conv2d(x, filter) + bias + residual)` of NHWC float32
 * tensors in one pass, the end of a residual block in inference: inputs `x`,
 * `filter` (HWIO), `bias` (per output channel) and `residual` (the output's
 * shape); attributes those of tfjs's `FusedConv2D` (`strides`, `pad`,
 * `dilations` of 1, `dataFormat` NHWC). It has no gradient: callers use it only
 * where none is taken. Its ReLU is the convolution's fused one (`FusedConv2D`
 * with `activation: "relu"`), as the folded convolutions around it have it.
 * With the attribute `reuseResidual: true` the caller promises to dispose
 * `residual` right after the call with nothing else reading it: a backend may
 * then write the output into the residual's memory (their values share one
 * buffer, as Identity's do).
 */
export const CONV2D_ADD_RELU_KERNEL = "SkiplabConv2DAddRelu";
