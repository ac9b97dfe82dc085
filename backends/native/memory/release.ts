/**
 * Early release of backpropagation memory on the native backend. tfjs keeps
 * every intermediate gradient and every tensor saved for the backward pass
 * until the whole backward pass ends, so its peak memory is about all
 * activations plus all their gradients. Here, once a kernel's gradient has
 * been computed (when the next gradient function starts), its incoming
 * gradients and its saved tensors are disposed: they have no other reader.
 *
 * Only gradients from tfjs's gradient registry are wrapped (not `customGrad`
 * ops), only at the outermost differentiation (not while a tape records, as
 * for gradients of gradients), and never a tensor a gradient function returned
 * or a `dy` the caller passed in (it lives in another scope).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type GradFunc = tf.GradConfig["gradFunc"];

let pending: tf.Tensor[] = [];
let keep = new Set<tf.Tensor>();

function flush(): void {
  for (const t of pending) if (!keep.has(t) && !t.isDisposed) t.dispose();
  pending = [];
  keep = new Set();
}

function wrap(backend: string, original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const engine = tf.engine();
    if (tf.getBackend() !== backend || engine.state.gradientDepth !== 0) {
      return original(dy, saved, attrs);
    }
    flush();
    const grads = original(dy, saved, attrs);
    const scope = engine.state.activeScope?.id;
    const dys = (Array.isArray(dy) ? dy : [dy]).filter((t) =>
      t != null && !t.kept && t.scopeId === scope
    );
    pending = [...dys, ...saved.filter((t) => t != null)];
    const returned = keep;
    const out: ReturnType<GradFunc> = {};
    for (const [name, thunk] of Object.entries(grads)) {
      out[name] = () => {
        const r = thunk();
        returned.add(r);
        return r;
      };
    }
    return out;
  };
}

/** Wraps every registered gradient of `kernelNames` for early release on `backend` (once). */
export function installEarlyRelease(backend: string, kernelNames: Iterable<string>): void {
  for (const kernelName of new Set(kernelNames)) {
    const config = tf.getGradient(kernelName);
    if (config === undefined) continue;
    // Copy the descriptors: a config may compute inputsToSave in a getter.
    const wrapped: tf.GradConfig = Object.defineProperties(
      {} as tf.GradConfig,
      Object.getOwnPropertyDescriptors(config),
    );
    wrapped.gradFunc = wrap(backend, config.gradFunc);
    tf.registerGradient(wrapped);
  }
}
