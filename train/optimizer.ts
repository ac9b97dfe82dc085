import * as tf from "@tensorflow/tfjs";
import type { Tensor, Variable } from "../core/tf_types.ts";
import { FUSED_ADAM_KERNEL, type FusedAdamAttrs } from "../core/fused_adam.ts";

/** Optimiser settings. */
export type OptimizerConfig =
  | {
    readonly type: "adam";
    /** @default 1e-3 */ readonly lr: number;
    /** @default 0.9 */ readonly beta1?: number;
    /** @default 0.999 */ readonly beta2?: number;
    /** @default 1e-7 */ readonly epsilon?: number;
    /** Decoupled weight decay (AdamW) per step, times lr. @default 0 */ readonly weightDecay?:
      number;
  }
  | {
    readonly type: "sgd";
    readonly lr: number;
    /** @default 0 */ readonly momentum?: number;
    /** @default false */ readonly nesterov?: boolean;
    /** L2 weight decay added to the gradient. @default 0 */ readonly weightDecay?: number;
  };

// Re-exported so train/ keeps offering the kernel contract it calls.
export { FUSED_ADAM_KERNEL, type FusedAdamAttrs };

/** A trainable variable and its optimiser slots, addressed by key. */
export interface OptimizerState {
  /** Steps taken so far (Adam's bias correction depends on it). */
  readonly iterations: number;
  /** Learning rate of the next step. */
  readonly lr: number;
  /** Slot tensors by `${variable key}/${slot}`; owned by the state. */
  readonly slots: Map<string, Tensor>;
}

/**
 * Adam or SGD (momentum, Nesterov, weight decay) whose whole state can be read
 * and restored, so a resumed run continues exactly. The learning rate is a
 * plain number that callbacks and schedules set between steps. Adam runs as
 * one {@link FUSED_ADAM_KERNEL} call per variable where the active backend
 * registers that kernel (the native backend does), else as composed ops.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Optimizer } from "./optimizer.ts";
 * const w = tf.variable(tf.ones([2]), true, "w");
 * const opt = new Optimizer({ type: "sgd", lr: 0.5 });
 * opt.apply(new Map([["w", { variable: w, grad: tf.ones([2]) }]]));
 * console.log(w.dataSync()); // Float32Array [0.5, 0.5]
 * ```
 */
export class Optimizer {
  /** The settings. */
  readonly config: OptimizerConfig;
  /** Learning rate of the next step. */
  lr: number;
  #iterations = 0;
  #slots = new Map<string, tf.Variable>();

  /** Validates the settings (RangeError naming the field and value). */
  constructor(config: OptimizerConfig) {
    if (!(config.lr > 0) || !Number.isFinite(config.lr)) {
      throw new RangeError(
        `Cannot make the optimizer: 'lr' must be a positive number, got ${config.lr}`,
      );
    }
    this.config = config;
    this.lr = config.lr;
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.#iterations;
  }

  /** Applies one step; `grads` are borrowed (not disposed). */
  apply(grads: Map<string, { variable: Variable; grad: Tensor }>): void {
    this.#iterations++;
    const t = this.#iterations;
    const lr = this.lr;
    const fused = this.config.type === "adam" &&
      tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      // A number given to an op becomes a new tensor, written to the device, at every use: on
      // webgpu that was seven uploads per variable per step. Made once per step, they are shared.
      const scalars = new Map<number, Tensor>();
      const k = (x: number) => {
        let s = scalars.get(x);
        if (s === undefined) scalars.set(x, s = tf.scalar(x));
        return s;
      };
      for (const [key, { variable: v, grad }] of grads) {
        const c = this.config;
        if (c.type === "adam") {
          const b1 = c.beta1 ?? 0.9, b2 = c.beta2 ?? 0.999, eps = c.epsilon ?? 1e-7;
          const m = this.#slot(key, "m", v), s = this.#slot(key, "v", v);
          const stepSize = lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
          if (fused && v.dtype === "float32" && grad.dtype === "float32") {
            const attrs: FusedAdamAttrs = {
              beta1: b1,
              beta2: b2,
              epsilon: eps,
              stepSize,
              decay: lr * (c.weightDecay ?? 0),
              // The slots are replaced by their new values just below: their memory may hold them.
              reuseState: 1,
            };
            const [nv, nm, ns] = tf.engine().runKernel(
              FUSED_ADAM_KERNEL,
              { variable: v, m, v: s, grad },
              attrs,
            ) as tf.Tensor[];
            m.assign(nm);
            s.assign(ns);
            v.assign(nv);
            continue;
          }
          m.assign(m.mul(k(b1)).add(grad.mul(k(1 - b1))));
          s.assign(s.mul(k(b2)).add(grad.square().mul(k(1 - b2))));
          let update = m.div(s.sqrt().add(k(eps))).mul(k(stepSize));
          if (c.weightDecay) update = update.add(v.mul(k(lr * c.weightDecay)));
          v.assign(v.sub(update));
        } else {
          const g = c.weightDecay ? grad.add(v.mul(k(c.weightDecay))) : grad;
          const mu = c.momentum ?? 0;
          if (mu === 0) {
            v.assign(v.sub(g.mul(k(lr))));
            continue;
          }
          const buf = this.#slot(key, "momentum", v);
          buf.assign(buf.mul(k(mu)).add(g));
          const step = c.nesterov ? g.add(buf.mul(k(mu))) : buf;
          v.assign(v.sub(step.mul(k(lr))));
        }
      }
    });
  }

  /** Copies of the state (caller owns the tensors). */
  getState(): OptimizerState {
    const slots = new Map<string, tf.Tensor>();
    for (const [k, v] of this.#slots) slots.set(k, tf.clone(v));
    return { iterations: this.#iterations, lr: this.lr, slots };
  }

  /** Restores a state from {@linkcode Optimizer.getState} (tensors are copied). */
  setState(state: OptimizerState): void {
    this.dispose();
    this.#iterations = state.iterations;
    this.lr = state.lr;
    // A variable shares its value's data; tidy frees the intermediate copy's handle.
    for (const [k, t] of state.slots) {
      this.#slots.set(
        k,
        tf.tidy(() => tf.variable(tf.clone(t), false)),
      );
    }
  }

  /** Frees the slot tensors. */
  dispose(): void {
    for (const v of this.#slots.values()) v.dispose();
    this.#slots.clear();
  }

  #slot(key: string, name: string, like: tf.Tensor): tf.Variable {
    const k = `${key}/${name}`;
    let s = this.#slots.get(k);
    if (!s) {
      s = tf.keep(tf.variable(tf.zerosLike(like), false));
      this.#slots.set(k, s);
    }
    return s;
  }
}
