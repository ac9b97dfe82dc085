/**
 * The learning curve counted in iterations (`curve` table): training error
 * over the steps since the last point and the validation error at it, the
 * curves of He et al. 2016's Figure 6, finer than one point per epoch.
 * @module
 */
import type { LayersModel } from "../core/tf_types.ts";
import type { ImageSet } from "../data/image_set.ts";
import { evaluate } from "./evaluate.ts";
import type { Row } from "./types.ts";

/** Sums over the steps since the last point: loss × images, correct images, images. */
export interface CurveWindow {
  readonly loss: number;
  readonly correct: number;
  readonly seen: number;
}

/** Collects steps and, every `every` steps (and at `total`), evaluates and gives a row. */
export class CurvePoints {
  #loss = 0;
  #correct = 0;
  #seen = 0;

  /** Points every `every` steps and after step `total`; no points without `every`. */
  constructor(readonly every: number | undefined, readonly total: number) {}

  /**
   * The steps since the last point, which a checkpoint keeps: a run stopped
   * between two points must average the same steps into the next one when
   * resumed as an uninterrupted run does.
   */
  getState(): CurveWindow {
    return { loss: this.#loss, correct: this.#correct, seen: this.#seen };
  }

  /** Continues from {@linkcode CurvePoints.getState}'s sums. */
  setState(w: CurveWindow): void {
    ({ loss: this.#loss, correct: this.#correct, seen: this.#seen } = w);
  }

  /** Adds a finished step; `done` counts the steps of the run so far. */
  async step(
    done: { iteration: number; epoch: number; loss: number; correct: number; images: number },
    model: LayersModel,
    val: ImageSet,
    lr: number,
  ): Promise<Row | undefined> {
    this.#loss += done.loss * done.images;
    this.#correct += done.correct;
    this.#seen += done.images;
    const at = done.iteration;
    if (!this.every || (at % this.every !== 0 && at !== this.total)) return undefined;
    const v = await evaluate(model, val, { batchSize: 256 });
    const row: Row = {
      iteration: at,
      epoch: done.epoch,
      train_loss: this.#loss / this.#seen,
      train_error: 1 - this.#correct / this.#seen,
      val_loss: v.loss,
      val_error: 1 - v.acc,
      lr,
    };
    this.#loss = this.#correct = this.#seen = 0;
    return row;
  }
}
