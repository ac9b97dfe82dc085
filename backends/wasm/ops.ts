/**
 * Thin wrappers that call tfjs-backend-wasm's own kernel functions on
 * TensorInfos, so that skiplab's gradient kernels are compositions of wasm
 * kernels: data stays in the wasm heap and no op goes through the engine (no
 * tape entries, no tracked tensors). Every wrapper returns a TensorInfo the
 * caller owns and must release with `release()`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type Attrs = tf.NamedAttrMap;

/** A kernel call on the wasm backend, inputs and attrs by name. */
function run(
  backend: tf.KernelBackend,
  name: string,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Attrs,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (kernel === undefined) {
    throw new Error(
      `skiplab's wasm kernels need the wasm kernel '${name}', which is not registered`,
    );
  }
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees TensorInfos made by the wrappers below (reference-counted by the backend). */
export function release(backend: tf.KernelBackend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Zero padding, `paddings[d] = [before, after]`. */
export function pad(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  paddings: Array<[number, number]>,
): tf.TensorInfo {
  return run(backend, "PadV2", { x }, { paddings, constantValue: 0 });
}

/** Axis permutation. */
export function transpose(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  perm: number[],
): tf.TensorInfo {
  return run(backend, "Transpose", { x }, { perm });
}

/** Same data, new shape (shares the buffer; still release it). */
export function reshape(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  shape: number[],
): tf.TensorInfo {
  return run(backend, "Reshape", { x }, { shape });
}

/** `x[begin : end : strides]` on every axis. */
export function stridedSlice(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  begin: number[],
  end: number[],
  strides: number[],
): tf.TensorInfo {
  return run(backend, "StridedSlice", { x }, {
    begin,
    end,
    strides,
    beginMask: 0,
    endMask: 0,
    ellipsisMask: 0,
    newAxisMask: 0,
    shrinkAxisMask: 0,
  });
}

/** Contiguous slice of `size` starting at `begin`. */
export function slice(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  return run(backend, "Slice", { x }, { begin, size });
}

/**
 * `a · b` for rank-2 inputs. XNNPACK caches the packed form of `b` per tensor,
 * so the operand shared across calls should be `b`.
 */
export function matMul(
  backend: tf.KernelBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo {
  return run(backend, "BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
}

/** Stacks equally shaped tensors along a new leading axis. */
export function stack(backend: tf.KernelBackend, infos: tf.TensorInfo[]): tf.TensorInfo {
  // Pack's kernel takes its inputs as an array, not by name.
  const kernel = tf.getKernel("Pack", "wasm");
  if (kernel === undefined) throw new Error("skiplab's wasm kernels need the wasm kernel 'Pack'");
  const out = kernel.kernelFunc({
    inputs: infos as unknown as tf.NamedTensorInfoMap,
    backend,
    attrs: { axis: 0 },
  });
  return Array.isArray(out) ? out[0] : out;
}

/** Padding with a constant, `paddings[d] = [before, after]`. */
export function padWith(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  paddings: Array<[number, number]>,
  constantValue: number,
): tf.TensorInfo {
  return run(backend, "PadV2", { x }, { paddings, constantValue });
}

/** Elementwise binary kernel ("Add", "Sub", "Multiply", "Equal", …) with broadcasting. */
export function binary(
  backend: tf.KernelBackend,
  name: "Add" | "Sub" | "Multiply" | "Equal",
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo {
  return run(backend, name, { a, b }, {});
}

/** Converts to another dtype (bool → float32 gives 0/1). */
export function cast(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dtype: tf.DataType,
): tf.TensorInfo {
  return run(backend, "Cast", { x }, { dtype });
}
