/** A StepContext for augmentation tests: only `rng` matters to augmentations. */
import { Rng } from "../../../core/rng.ts";
import type { StepContext } from "../../../train/types.ts";

export function stepContext(seed: number): StepContext {
  return {
    runName: "test",
    runDir: undefined,
    epochs: 1,
    classNames: [],
    record() {},
    log() {},
    epoch: 0,
    step: 0,
    globalStep: 0,
    rng: new Rng(seed),
  };
}
