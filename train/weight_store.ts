import * as tf from "@tensorflow/tfjs";
import type { LayersModel, NamedTensorMap } from "../core/tf_types.ts";

/** In-memory snapshots of a model's weights by slot (`best`, `early-stopping`, …). */
export class WeightStore {
  readonly #model: LayersModel;
  readonly #slots = new Map<string, NamedTensorMap>();

  /** A store for one model. */
  constructor(model: LayersModel) {
    this.#model = model;
  }

  /** Copies the current weights into `slot`, replacing what it held. */
  save(slot: string): void {
    const copy: NamedTensorMap = {};
    for (const w of this.#model.weights) copy[w.originalName] = tf.keep(tf.clone(w.read()));
    this.put(slot, copy);
  }

  /** Puts tensors into `slot`; the store takes ownership. */
  put(slot: string, weights: NamedTensorMap): void {
    const old = this.#slots.get(slot);
    if (old) tf.dispose(Object.values(old));
    this.#slots.set(slot, weights);
  }

  /** Whether `slot` holds a snapshot. */
  has(slot: string): boolean {
    return this.#slots.has(slot);
  }

  /** Writes the snapshot of `slot` back into the model. */
  restore(slot: string): void {
    const w = this.#slots.get(slot);
    if (!w) throw new RangeError(`Cannot restore weights: no snapshot named '${slot}'`);
    this.#model.loadWeights(w, true);
  }

  /** Every snapshot (borrowed), for checkpoints. */
  toJSON(): Record<string, NamedTensorMap> {
    return Object.fromEntries(this.#slots);
  }

  /** Frees every snapshot. */
  dispose(): void {
    for (const w of this.#slots.values()) tf.dispose(Object.values(w));
    this.#slots.clear();
  }
}
