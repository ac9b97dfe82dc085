/**
 * The training state a checkpoint's `state.json` holds (the trainer's
 * `TrainState`, which must equal it), typed here so that the run-directory
 * module can check it without depending on the trainer. Its epochs count
 * from 0, as the trainer's do: no person reads state.json.
 * @module
 */

/** A JSON value, as a plugin's saved state is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/** Metrics of one finished epoch as the state keeps them: `epoch` counted from 0. */
export interface CheckpointEpoch {
  /** Epoch index, from 0. */
  readonly epoch: number;
  /** Mean training loss. */
  readonly loss: number;
  /** Training accuracy. */
  readonly acc: number;
  /** Validation loss. */
  readonly val_loss: number;
  /** Validation accuracy. */
  readonly val_acc: number;
  /** Learning rate at the epoch's end. */
  readonly lr: number;
  /** Seconds of training steps. */
  readonly seconds: number;
  /** Further metrics. */
  readonly [key: string]: number;
}

/**
 * What `state.json` holds besides the manifests: everything besides weights
 * that a resumed run needs to continue exactly (the trainer's `TrainState`).
 */
export interface CheckpointState {
  /** Epoch to continue with (from 0). */
  readonly epoch: number;
  /** Step within that epoch to continue with. */
  readonly step: number;
  /** The optimiser's current learning rate. */
  readonly lr: number;
  /** Optimiser updates applied so far. */
  readonly iterations: number;
  /** Running sums of the unfinished epoch. */
  readonly partial: {
    readonly loss: number;
    readonly correct: number;
    readonly seen: number;
    readonly seconds: number;
  };
  /** Running sums since the last curve point; absent in older checkpoints. */
  readonly curve?: { readonly loss: number; readonly correct: number; readonly seen: number };
  /** State of the per-step random stream. */
  readonly stepRng: number[];
  /** Mask-stream state of each seeded dropout layer, by layer name. */
  readonly dropoutRng: Record<string, number[]>;
  /** Saved state of each stateful plugin, by plugin name. */
  readonly plugins: Record<string, JsonValue>;
  /** Metrics of the epochs finished so far. */
  readonly history: CheckpointEpoch[];
  /** Tables plugins have recorded so far, by table name. */
  readonly tables: Record<string, Record<string, number | string>[]>;
  /** Why the run stopped, when a plugin requested a stop. */
  readonly stopReason?: string;
  /** The tfjs backend it trained on, which a resume of an `auto` run keeps; absent in older checkpoints. */
  readonly backend?: string;
}
