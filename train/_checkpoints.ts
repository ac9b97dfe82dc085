/**
 * How the trainer writes the checkpoints plugins ask for: collected during a
 * phase (epoch end, stop), written once every plugin of the phase has run.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import { epochNumber } from "../rundir/epochs.ts";
import { checkpointDir, RUN_FILES } from "../rundir/layout.ts";
import { saveCheckpoint, type TrainState } from "./checkpoint.ts";
import type { Optimizer } from "./optimizer.ts";
import type { CheckpointSlot, RunPosition } from "./types.ts";
import type { WeightStore } from "./weight_store.ts";

/** What a checkpoint is made of. */
export interface CheckpointSources {
  /** Run directory; without one nothing is written (and the log says so). */
  readonly runDir: string | undefined;
  /** The model whose weights are saved. */
  readonly model: LayersModel;
  /** The optimiser whose slots are saved. */
  readonly optimizer: Optimizer;
  /** Weight snapshots saved with the checkpoint. */
  readonly store: WeightStore;
  /** The run's log. */
  readonly log: (message: string) => void;
}

/** A context's `checkpoint(slot)`: records the request in `asked`, checking the slot. */
export function askFor(asked: Set<CheckpointSlot>): (slot: CheckpointSlot) => void {
  return (slot) => {
    if (slot !== "best" && slot !== "last") {
      throw new RangeError(
        `checkpoint: slot must be "best" or "last", got ${JSON.stringify(slot)}`,
      );
    }
    asked.add(slot);
  };
}

/** "the end of epoch 3" or "epoch 4, step 2": where a checkpoint resumes. */
export function describePosition(at: RunPosition): string {
  return at.step === 0
    ? `the end of epoch ${at.epoch}`
    : `epoch ${epochNumber(at.epoch)}, step ${at.step}`;
}

/** Writes the asked checkpoints, `best` before `last`, each synced and swapped in whole; returns those written. */
export async function writeAskedCheckpoints(
  src: CheckpointSources,
  asked: ReadonlySet<CheckpointSlot>,
  state: () => Promise<TrainState>,
): Promise<CheckpointSlot[]> {
  const written: CheckpointSlot[] = [];
  if (asked.size === 0) return written;
  if (!src.runDir) {
    const slots = [...asked].join(", ");
    src.log(`${RUN_FILES.checkpoints}/${slots} not written: the run has no directory`);
    return written;
  }
  const opt = Object.fromEntries(src.optimizer.getState().slots);
  try {
    for (const slot of (["best", "last"] as const).filter((s) => asked.has(s))) {
      const dir = checkpointDir(src.runDir, slot);
      await saveCheckpoint(dir, src.model, opt, src.store.toJSON(), await state());
      written.push(slot);
    }
  } finally {
    tf.dispose(Object.values(opt));
  }
  return written;
}

/** The log line after the stop event's checkpoints: what an interrupted run kept, or what was saved. */
export function stopMessage(
  interrupted: boolean,
  written: readonly CheckpointSlot[],
  at: RunPosition,
): string | undefined {
  const where = describePosition(at);
  if (interrupted) {
    return written.includes("last")
      ? `interrupted: saved checkpoints/last at ${where}`
      : `interrupted at ${where}: no checkpoint saved (no plugin asked for checkpoints/last)`;
  }
  return written.length > 0 ? `saved checkpoints/${written.join(", ")} at ${where}` : undefined;
}
