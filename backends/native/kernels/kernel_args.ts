/**
 * Shared plumbing of the native kernels: reading a tensor's Float32Array,
 * making outputs, and delegating to the cpu backend's kernel of the same name.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The backend type the native kernels run on (a MathBackendCPU subclass). */
export type CpuLike = tf.MathBackendCPU;

/** Kernel arguments as tfjs passes them. */
export interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: CpuLike;
  attrs?: tf.NamedAttrMap;
}

/** The float32 values a tensor info holds on `backend` (shared, not copied). */
export function values(backend: CpuLike, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/**
 * An output array of `n` floats with arbitrary contents (the kernel must write
 * every element): recycled on the native backend, fresh elsewhere.
 */
export function alloc(backend: CpuLike, n: number): Float32Array {
  const pool = (backend as { buffers?: { take(n: number): Float32Array } }).buffers;
  return pool === undefined ? new Float32Array(n) : pool.take(n);
}

/** Wraps `data` of `shape` as a new float32 tensor info on `backend`. */
export function output(backend: CpuLike, shape: number[], data: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, "float32", data);
}

/**
 * True when the kernel may write `t`'s values in place, its caller having
 * given `t` up: one tensor holds its dataId, and its array is one the output
 * pool made that nothing outside the backend has seen (`../memory/buffers.ts`).
 */
export function exclusive(backend: CpuLike, t: tf.TensorInfo): boolean {
  const pool = (backend as { buffers?: { private(v: unknown): boolean } }).buffers;
  return backend.refCount(t.dataId) === 1 && pool?.private(values(backend, t)) === true;
}

/**
 * An output of `shape` over `t`'s own values (written in place, see
 * {@link exclusive}): they share one dataId, as Identity's input and output do.
 */
export function sharedOutput(backend: CpuLike, t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape, dtype: "float32" };
}

/** True when every tensor is float32 (the only dtype the native paths handle). */
export function allFloat32(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === "float32");
}

const cpuKernels = new Map<string, tf.KernelFunc>();

/** Runs the cpu backend's kernel `name` on the native backend. */
export function cpuKernel(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  let fn = cpuKernels.get(name);
  if (fn === undefined) {
    const config = tf.getKernel(name, "cpu");
    if (config === undefined) throw new Error(`The cpu backend has no kernel '${name}'`);
    fn = config.kernelFunc;
    cpuKernels.set(name, fn);
  }
  return fn(args as unknown as Parameters<tf.KernelFunc>[0]);
}

/** Like {@link cpuKernel}, for kernels with one output. */
export function cpuKernel1(name: string, args: KernelArgs): tf.TensorInfo {
  return cpuKernel(name, args) as tf.TensorInfo;
}

/**
 * Attribute under which the native Mean and Reshape kernels record their
 * input's shape: on native their gradients save no input (see `../memory/saves.ts`).
 */
export const INPUT_SHAPE_ATTR = "skiplabInputShape";
