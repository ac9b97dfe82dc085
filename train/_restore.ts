/**
 * Putting a checkpoint back into a run about to continue: weights,
 * optimiser, snapshots, plugin states, tables, history and random streams.
 * @module
 */
import type { LayersModel } from "../core/tf_types.ts";
import { Rng } from "../core/rng.ts";
import type { SeededDropout } from "../layers/seeded_dropout.ts";
import type { Checkpoint } from "./checkpoint.ts";
import type { CurvePoints } from "./_curve.ts";
import type { PluginChain } from "./compose.ts";
import type { Optimizer } from "./optimizer.ts";
import type { Recorder } from "./recorder.ts";
import type { EpochMetrics, RunPosition } from "./types.ts";
import type { WeightStore } from "./weight_store.ts";

/** The parts of a run a checkpoint restores into. */
export interface RestoreTargets {
  readonly model: LayersModel;
  readonly optimizer: Optimizer;
  readonly store: WeightStore;
  readonly chain: PluginChain;
  readonly recorder: Recorder;
  readonly dropouts: readonly SeededDropout[];
  readonly history: EpochMetrics[];
  readonly curve: CurvePoints;
}

/** Where and how the restored run continues. */
export interface Restored {
  readonly start: RunPosition;
  readonly partial: { loss: number; correct: number; seen: number; seconds: number };
  /** The step stream of a run stopped mid-epoch; a run at an epoch boundary draws a new one. */
  readonly stepRng: Rng | undefined;
  readonly stopReason: string | undefined;
}

/** Restores `resume` into `t`; the optimiser and store take over its tensors. */
export function restore(resume: Checkpoint, t: RestoreTargets): Restored {
  const s = resume.state;
  t.model.loadWeights(resume.weights);
  t.optimizer.setState({
    iterations: s.iterations,
    lr: s.lr,
    slots: new Map(Object.entries(resume.optimizer)),
  });
  for (const [slot, w] of Object.entries(resume.snapshots)) t.store.put(slot, w);
  t.chain.setState(s.plugins);
  t.recorder.restore(s.tables);
  t.history.push(...s.history);
  t.curve.setState(s.curve ?? { loss: 0, correct: 0, seen: 0 });
  let stepRng: Rng | undefined;
  if (s.step > 0) {
    stepRng = new Rng(0);
    stepRng.setState(s.stepRng);
  }
  // Mid-epoch the masks continue; at an epoch's end they matter too when no epoch follows: the
  // final gradients' forward pass draws its masks from where the last step left the streams.
  // (A following epoch draws new streams.) Checkpoints of older writers may lack them.
  for (const d of t.dropouts) {
    const state = s.dropoutRng[d.name];
    if (state !== undefined) d.setRngState(state);
  }
  return {
    start: { epoch: s.epoch, step: s.step },
    partial: { ...s.partial },
    stepRng,
    stopReason: s.stopReason,
  };
}
