/**
 * A scripted stand-in for the trainer's contexts: records what plugins do to
 * a run (rows, logs, learning rate, stops, weight slots, checkpoints).
 * @module
 */
import { Rng } from "../../core/rng.ts";
import type { Plugin } from "../../plugins/plugin.ts";
import type {
  EpochContext,
  EpochMetrics,
  Row,
  RunContext,
  StepContext,
} from "../../train/types.ts";

/** A fake run; `weights` stands for the model's weights (tests set it, e.g. to the epoch). */
export interface FakeRun {
  readonly rows: Record<string, Row[]>;
  readonly logs: string[];
  readonly stops: string[];
  /** Ordered side effects: `save:<slot>@<epoch>`, `restore:<slot>@<epoch>`, `checkpoint:<slot>@<epoch>`. */
  readonly events: string[];
  readonly slots: Map<string, number>;
  lr: number;
  weights: number;
  readonly run: RunContext;
  step(epoch: number, step: number): StepContext;
  epoch(epoch: number): EpochContext;
}

/** A fresh fake run of `epochs` epochs starting at learning rate `lr`. */
export function fakeRun(options: { epochs?: number; lr?: number } = {}): FakeRun {
  const rows: Record<string, Row[]> = {};
  const logs: string[] = [];
  const run: RunContext = {
    runName: "test",
    runDir: undefined,
    epochs: options.epochs ?? 30,
    classNames: ["a", "b"],
    record: (table, row) => void (rows[table] ??= []).push(row),
    log: (message) => void logs.push(message),
  };
  const fake: FakeRun = {
    rows,
    logs,
    stops: [],
    events: [],
    slots: new Map(),
    lr: options.lr ?? 1e-3,
    weights: 0,
    run,
    step: (epoch, step) => ({
      ...run,
      epoch,
      step,
      globalStep: epoch * 1000 + step,
      rng: new Rng(1),
    }),
    epoch: (epoch) => ({
      ...run,
      epoch,
      get learningRate() {
        return fake.lr;
      },
      history: () => [],
      tables: () => rows,
      setLearningRate: (lr) => void (fake.lr = lr),
      requestStop: (reason) => void fake.stops.push(reason),
      saveWeights(slot) {
        fake.slots.set(slot, fake.weights);
        fake.events.push(`save:${slot}@${epoch}`);
      },
      restoreWeights(slot) {
        const w = fake.slots.get(slot);
        if (w === undefined) throw new Error(`no weight slot '${slot}'`);
        fake.weights = w;
        fake.events.push(`restore:${slot}@${epoch}`);
      },
      checkpoint(slot) {
        fake.events.push(`checkpoint:${slot}@${epoch}`);
      },
    }),
  };
  return fake;
}

/** Metrics of an epoch: finite defaults overridden by `values`. */
export function metrics(epoch: number, values: Partial<EpochMetrics> = {}): EpochMetrics {
  return { epoch, loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.5, lr: 1e-3, seconds: 1, ...values };
}

/**
 * Runs `onEpochEnd` over scripted metrics, one epoch per entry, as the
 * trainer would: the model's weights are the epoch number, and the run ends
 * at the first stop request. Returns the learning rate in force during each
 * epoch that ran.
 */
export async function drive(
  plugin: Plugin,
  series: Partial<EpochMetrics>[],
  fake: FakeRun = fakeRun(),
  firstEpoch = 0,
): Promise<number[]> {
  const lrs: number[] = [];
  for (let i = 0; i < series.length && fake.stops.length === 0; i++) {
    const epoch = firstEpoch + i;
    fake.weights = epoch;
    lrs.push(fake.lr);
    await plugin.onEpochEnd?.(metrics(epoch, { lr: fake.lr, ...series[i] }), fake.epoch(epoch));
  }
  return lrs;
}

/** `val_loss` series as partial metrics. */
export function valLoss(...values: number[]): Partial<EpochMetrics>[] {
  return values.map((val_loss) => ({ val_loss }));
}
