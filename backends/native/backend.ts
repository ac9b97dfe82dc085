/**
 * The native backend object: the cpu backend (same data layout, so the cpu
 * kernels run unchanged) whose kernel outputs are recycled through a
 * {@link BufferPool}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BufferPool } from "./memory/buffers.ts";
import { toPlain } from "./memory/layout.ts";

/** A MathBackendCPU that recycles the arrays of disposed native outputs. */
export class NativeBackend extends tf.MathBackendCPU {
  /** Output arrays of the native kernels. */
  readonly buffers: BufferPool = new BufferPool();

  /** The tensor's values; the array escapes recycling, as the caller now holds it. */
  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    // JavaScript sees NHWC values only (see `memory/layout.ts`).
    toPlain(this, dataId);
    const values = super.readSync(dataId);
    this.buffers.escape(values);
    return values;
  }

  /** Frees `dataId` when unreferenced, recycling its array when nothing else can see it. */
  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const freed = super.disposeData(dataId, force);
    if (freed && values !== undefined) this.buffers.give(values);
    return freed;
  }
}

/**
 * Wraps a kernel so that an output sharing memory with an input (a view or
 * the same array under another tensor) makes both escape recycling.
 */
export function guardAliases(kernel: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const out = kernel(args);
    const backend = args.backend as unknown;
    if (!(backend instanceof NativeBackend)) return out;
    const outs = Array.isArray(out) ? out : [out];
    const inputs = Object.values(args.inputs).filter((t) => t !== undefined) as tf.TensorInfo[];
    for (const o of outs) {
      const ov = backend.data.get(o.dataId)?.values as ArrayBufferView | undefined;
      if (ov === undefined || !ArrayBuffer.isView(ov)) continue;
      for (const t of inputs) {
        if (t.dataId === o.dataId) continue;
        const iv = backend.data.get(t.dataId)?.values as ArrayBufferView | undefined;
        if (iv !== undefined && ArrayBuffer.isView(iv) && iv.buffer === ov.buffer) {
          backend.buffers.escape(iv);
          backend.buffers.escape(ov);
        }
      }
    }
    return out;
  };
}
