import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import type { ImageSet } from "../data/image_set.ts";
import { BatchPipeline } from "../data/pipeline.ts";
import { Rng } from "../core/rng.ts";
import { SeededDropout } from "../layers/seeded_dropout.ts";
import { composePlugins } from "../plugins/compose.ts";
import type { Plugin } from "../plugins/plugin.ts";
import { type Checkpoint, saveCheckpoint, type TrainState } from "./checkpoint.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { Optimizer, type OptimizerConfig } from "./optimizer.ts";
import type { Reporter } from "./progress.ts";
import { Recorder, toCsv } from "./recorder.ts";
import { writeFileAtomic } from "./atomic.ts";
import { type ScheduleConfig, scheduledRate } from "./schedule.ts";
import { trainables } from "./step.ts";
import { guardedStep } from "./_guarded_step.ts";
import {
  type EpochContext,
  type EpochMetrics,
  HISTORY_COLUMNS,
  type RunContext,
  type StepContext,
} from "./types.ts";
import { WeightStore } from "./weight_store.ts";

/** What {@linkcode train} needs. */
export interface TrainOptions {
  /** A built model (after ablations). */
  readonly model: LayersModel;
  /** Training images, reshuffled every epoch. */
  readonly train: ImageSet;
  /** Validation images, evaluated after every epoch. */
  readonly val: ImageSet;
  /** Evaluated once at the end, with the best weights when a plugin saved them. */
  readonly test?: ImageSet;
  /** Total epochs to train, counting those a resumed run already did. */
  readonly epochs: number;
  /** Images per training step. */
  readonly batchSize: number;
  /** Seeds shuffling, augmentation and dropout. @default 0 */
  readonly seed?: number;
  /** Optimiser type and hyperparameters. */
  readonly optimizer: OptimizerConfig;
  /** Learning-rate schedule over epochs. @default constant */
  readonly schedule?: ScheduleConfig;
  /** Plugins, whose hooks run in this order. @default [] */
  readonly plugins?: readonly Plugin[];
  /** Run directory: `checkpoints/last` every epoch, tables as CSV. */
  readonly runDir?: string;
  /** Name of the run, as plugins see it in their context. @default the model's name */
  readonly runName?: string;
  /** Continue from a checkpoint read by `loadCheckpoint`. */
  readonly resume?: Checkpoint;
  /** Receives progress (per step, per epoch, log lines); none by default. */
  readonly reporter?: Reporter;
  /** Aborting saves `checkpoints/last` after the current step and returns. */
  readonly signal?: AbortSignal;
}

/** The outcome of {@linkcode train}. */
export interface TrainResult {
  /** Metrics of every finished epoch, in order. */
  readonly history: EpochMetrics[];
  /** Tables recorded by plugins (`gradients`, `timing`, …). */
  readonly tables: Record<string, Record<string, number | string>[]>;
  /** Evaluation on `test`, when a test set was given. */
  readonly test?: Evaluation;
  /** Why training ended: "completed", a plugin's reason, "interrupted", a NaN loss. */
  readonly stopReason: string;
  /** Whether the run ended before its last epoch for a reason other than a plugin's stop. */
  readonly interrupted: boolean;
}

const mix = (...xs: number[]) =>
  xs.reduce((h, x) => Math.imul(h ^ (x >>> 0), 0x9e3779b1) >>> 0, 0x811c9dc5);

/**
 * Trains a model with one custom loop: per step, plugins transform the batch,
 * the model runs forward in training mode, gradients go to probes and then to
 * the optimiser; per epoch, validation, then callbacks. Deterministic for a
 * seed and backend, and resumable to the step.
 *
 * @example
 * ```ts ignore
 * const result = await train({ model, train: s.train, val: s.val, test: s.test,
 *   epochs: 3, batchSize: 64, optimizer: { type: "adam", lr: 1e-3 } });
 * ```
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  const { model, epochs, batchSize } = o;
  const seed = o.seed ?? 0;
  const chain = composePlugins(o.plugins ?? []);
  const infos = trainables(model);
  const optimizer = new Optimizer(o.optimizer);
  const recorder = new Recorder();
  const store = new WeightStore(model);
  const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
  const pipeline = new BatchPipeline(o.train, { batchSize, shuffle: true, seed });
  const steps = pipeline.batchesPerEpoch;
  const log = (m: string) => o.reporter?.log?.(m);
  const history: EpochMetrics[] = [];
  const run: RunContext = {
    runName: o.runName ?? model.name,
    runDir: o.runDir,
    epochs,
    classNames: o.train.classNames,
    record: (t, r) => recorder.record(t, r),
    log,
  };
  let start = { epoch: 0, step: 0 };
  let partial = { loss: 0, correct: 0, seen: 0, seconds: 0 };
  let stepRng: Rng | undefined;
  let stopReason: string | undefined;
  if (o.resume) {
    const s = o.resume.state;
    model.loadWeights(o.resume.weights);
    optimizer.setState({
      iterations: s.iterations,
      lr: s.lr,
      slots: new Map(Object.entries(o.resume.optimizer)),
    });
    for (const [slot, w] of Object.entries(o.resume.snapshots)) store.put(slot, w);
    chain.setState(s.plugins);
    recorder.restore(s.tables);
    history.push(...s.history);
    start = { epoch: s.epoch, step: s.step };
    partial = { ...s.partial };
    if (s.step > 0) {
      stepRng = new Rng(0);
      stepRng.setState(s.stepRng);
      for (const d of dropouts) d.setRngState(s.dropoutRng[d.name]);
    }
    stopReason = s.stopReason;
    log(`resuming at epoch ${s.epoch + 1}, step ${s.step}`);
  }

  const state = (epoch: number, step: number): TrainState => ({
    epoch,
    step,
    lr: optimizer.lr,
    iterations: optimizer.iterations,
    partial,
    stepRng: stepRng?.getState() ?? [],
    dropoutRng: Object.fromEntries(dropouts.map((d) => [d.name, d.getRngState()])),
    plugins: chain.getState(),
    history,
    tables: recorder.toJSON(),
    stopReason,
  });
  const writeCheckpoint = async (slot: string, epoch: number, step: number) => {
    if (!o.runDir) return;
    const opt = optimizer.getState();
    const optMap = Object.fromEntries(opt.slots);
    try {
      await saveCheckpoint(
        `${o.runDir}/checkpoints/${slot}`,
        model,
        optMap,
        store.toJSON(),
        state(epoch, step),
      );
    } finally {
      tf.dispose(Object.values(optMap));
    }
  };

  await chain.setup(run);
  let interrupted = false;
  try {
    for (let epoch = start.epoch; epoch < epochs && stopReason === undefined; epoch++) {
      const firstStep = epoch === start.epoch ? start.step : 0;
      if (firstStep === 0) {
        stepRng = new Rng(mix(seed, epoch, 1));
        dropouts.forEach((d, i) => d.setRngState(new Rng(mix(seed, epoch, 2, i)).getState()));
        partial = { loss: 0, correct: 0, seen: 0, seconds: 0 };
      }
      const rng = stepRng!;
      let step = firstStep;
      let t0 = performance.now();
      for await (const batch of pipeline.epoch(epoch, { startStep: firstStep })) {
        if (o.schedule && o.schedule.type !== "constant") {
          const progress = (epoch * steps + step) / (epochs * steps);
          optimizer.lr = scheduledRate(o.schedule, o.optimizer.lr, progress, epoch);
        }
        const ctx: StepContext = { ...run, epoch, step, globalStep: epoch * steps + step, rng };
        const n = batch.xs.shape[0];
        const { loss: l, correct: c } = await guardedStep(
          model,
          infos,
          chain,
          optimizer,
          batch,
          ctx,
        );
        if (!Number.isFinite(l)) {
          stopReason = `loss became ${l} at epoch ${epoch + 1}, step ${step + 1}; ` +
            `the last checkpoint (end of epoch ${epoch}) is kept, try a lower learning rate`;
          break;
        }
        partial.loss += l * n;
        partial.correct += c;
        partial.seen += n;
        const now = performance.now();
        partial.seconds += (now - t0) / 1000;
        t0 = now;
        step++;
        o.reporter?.batch?.({
          epoch,
          epochs,
          step: step - 1,
          steps,
          loss: partial.loss / partial.seen,
          acc: partial.correct / partial.seen,
          imagesPerSec: partial.seen / partial.seconds,
          elapsed: partial.seconds,
        });
        if (o.signal?.aborted && step < steps) {
          interrupted = true;
          await writeCheckpoint("last", epoch, step);
          stopReason = "interrupted";
          log(`interrupted: saved checkpoints/last at epoch ${epoch + 1}, step ${step}`);
          break;
        }
      }
      if (stopReason !== undefined) break;
      const val = await evaluate(model, o.val, { batchSize: 256 });
      const metrics: EpochMetrics = {
        epoch,
        loss: partial.loss / partial.seen,
        acc: partial.correct / partial.seen,
        val_loss: val.loss,
        val_acc: val.acc,
        lr: optimizer.lr,
        seconds: partial.seconds,
        images_per_sec: partial.seen / partial.seconds,
        memory_mb: tf.memory().numBytes / 2 ** 20,
      };
      history.push(metrics);
      o.reporter?.epoch?.(metrics, epochs);
      const requested = new Set<"best" | "last">(["last"]);
      const ectx: EpochContext = {
        ...run,
        epoch,
        learningRate: optimizer.lr,
        setLearningRate: (lr) => {
          if (!(lr > 0)) throw new RangeError(`setLearningRate: lr must be positive, got ${lr}`);
          optimizer.lr = lr;
        },
        requestStop: (reason) => void (stopReason ??= reason),
        saveWeights: (slot) => store.save(slot),
        restoreWeights: (slot) => store.restore(slot),
        checkpoint: (slot) => {
          requested.add(slot);
          return Promise.resolve();
        },
      };
      await chain.onEpochEnd(metrics, ectx);
      if (stopReason) log(`stopping: ${stopReason}`);
      // Written after every callback ran, so the saved plugin states agree.
      if (requested.has("best")) await writeCheckpoint("best", epoch + 1, 0);
      await writeCheckpoint("last", epoch + 1, 0);
      if (o.runDir) {
        await writeFileAtomic(`${o.runDir}/history.csv`, toCsv(history, HISTORY_COLUMNS));
        await recorder.writeCsv(o.runDir);
      }
      if (o.signal?.aborted && stopReason === undefined) {
        // Interrupted during the epoch's last step: the epoch was finished and saved.
        interrupted = true;
        stopReason = "interrupted";
        log(`interrupted: saved checkpoints/last at the end of epoch ${epoch + 1}`);
      }
    }
  } finally {
    await chain.teardown(run);
  }
  let test: Evaluation | undefined;
  if (o.test && !interrupted) {
    if (store.has("best")) store.restore("best");
    test = await evaluate(model, o.test, { batchSize: 256, probabilities: false });
  }
  store.dispose();
  optimizer.dispose();
  return {
    history,
    tables: recorder.toJSON(),
    test,
    stopReason: stopReason ?? "completed",
    interrupted,
  };
}

function checkOptions(o: TrainOptions): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot train: '${name}' must be a positive integer, got ${v}`);
    }
  };
  positive("epochs", o.epochs);
  positive("batchSize", o.batchSize);
  if (o.train.count === 0) throw new RangeError("Cannot train: the training set is empty");
  if (o.val.count === 0) throw new RangeError("Cannot train: the validation set is empty");
}
