import * as tf from "@tensorflow/tfjs";
import { BatchPipeline } from "../data/pipeline.ts";
import { Rng } from "../core/rng.ts";
import { epochNumber } from "../rundir/epochs.ts";
import { SeededDropout } from "../layers/seeded_dropout.ts";
import { composePlugins } from "./compose.ts";
import { recoverCheckpoints, type TrainState } from "./checkpoint.ts";
import { askFor, describePosition, stopMessage, writeAskedCheckpoints } from "./_checkpoints.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { Optimizer } from "./optimizer.ts";
import { Recorder } from "./recorder.ts";
import { scheduledRate } from "./schedule.ts";
import { trainables } from "./step.ts";
import { guardedStep } from "./_guarded_step.ts";
import { finalGradients } from "./_final_gradients.ts";
import { CurvePoints } from "./_curve.ts";
import { restore } from "./_restore.ts";
import { validationContext } from "./_validation.ts";
import type {
  CheckpointSlot,
  EpochContext,
  EpochMetrics,
  RunContext,
  RunPosition,
  RunStop,
  StepContext,
  StepMetrics,
  StopContext,
} from "./types.ts";
import { WeightStore } from "./weight_store.ts";
import { checkOptions, type TrainOptions, type TrainResult } from "./train_options.ts";

export type { TrainOptions, TrainResult };

const mix = (...xs: number[]) =>
  xs.reduce((h, x) => Math.imul(h ^ (x >>> 0), 0x9e3779b1) >>> 0, 0x811c9dc5);

/**
 * Trains a model with one custom loop: per step, plugins transform the batch,
 * the model runs forward in training mode, gradients go to probes and then to
 * the optimiser; per epoch, validation, then callbacks. Deterministic for a
 * seed and backend, and resumable to the step.
 *
 * It only trains: it writes and prints nothing itself. It emits events to
 * the plugins' hooks (run start, step end, epoch end, stop, run end, log
 * lines), and writes a checkpoint only when a plugin asks for one.
 *
 * @example
 * ```ts ignore
 * const result = await train({ model, train: s.train, val: s.val, test: s.test,
 *   epochs: 3, batchSize: 64, optimizer: { type: "adam", lr: 1e-3 } });
 * ```
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  const { model, batchSize, seed = 0 } = o;
  const chain = composePlugins(o.plugins ?? []);
  const infos = trainables(model);
  const optimizer = new Optimizer(o.optimizer);
  const recorder = new Recorder();
  const store = new WeightStore(model);
  const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
  const pipeline = new BatchPipeline(o.train, { batchSize, shuffle: true, seed });
  const steps = pipeline.batchesPerEpoch;
  const epochs = o.iterations !== undefined ? Math.ceil(o.iterations / steps) : o.epochs;
  const totalSteps = o.iterations ?? epochs * steps;
  const curve = new CurvePoints(o.evalEvery, totalSteps);
  const history: EpochMetrics[] = [];
  const validate = () => evaluate(model, o.val, { batchSize: 256 });
  const startedAt = new Date();
  const run: RunContext = {
    runName: o.runName ?? model.name,
    runDir: o.runDir,
    epochs,
    classNames: o.train.classNames,
    ...(o.resume && { resumedFrom: { epoch: o.resume.state.epoch, step: o.resume.state.step } }),
    record: (t, r) => recorder.record(t, r),
    log: (m) => chain.onLog(m),
  };
  const log = run.log;
  const restored = o.resume
    ? restore(o.resume, { model, optimizer, store, chain, recorder, dropouts, history, curve })
    : undefined;
  const start: RunPosition = restored?.start ?? { epoch: 0, step: 0 };
  let partial = restored?.partial ?? { loss: 0, correct: 0, seen: 0, seconds: 0 };
  let stepRng: Rng | undefined = restored?.stepRng;
  let stopReason: string | undefined = restored?.stopReason;

  const state = async (at: RunPosition): Promise<TrainState> => ({
    epoch: at.epoch,
    step: at.step,
    lr: optimizer.lr,
    iterations: optimizer.iterations,
    partial,
    curve: curve.getState(),
    stepRng: stepRng?.getState() ?? [],
    dropoutRng: Object.fromEntries(dropouts.map((d) => [d.name, d.getRngState()])),
    plugins: await chain.getState(),
    history,
    tables: recorder.toJSON(),
    stopReason,
    backend: tf.getBackend(),
  });
  const sources = { runDir: o.runDir, model, optimizer, store, log };
  const writeCheckpoints = (asked: ReadonlySet<CheckpointSlot>, at: RunPosition) =>
    writeAskedCheckpoints(sources, asked, () => state(at));

  if (o.runDir) await recoverCheckpoints(o.runDir);
  let interrupted = false, test: Evaluation | undefined;
  await chain.setup(run);
  try {
    if (o.resume) log(`resuming at epoch ${epochNumber(start.epoch)}, step ${start.step}`);
    let at: RunPosition = start;
    for (let epoch = start.epoch; epoch < epochs && !stopReason && !interrupted; epoch++) {
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
        if (epoch * steps + step >= totalSteps) {
          tf.dispose([batch.xs, batch.ys]);
          break;
        }
        if (o.schedule && o.schedule.type !== "constant") {
          const progress = (epoch * steps + step) / totalSteps;
          const at = epoch * steps + step;
          optimizer.lr = scheduledRate(o.schedule, o.optimizer.lr, progress, epoch, at);
        }
        const ctx: StepContext = { ...run, epoch, step, globalStep: epoch * steps + step, rng };
        const n = batch.xs.shape[0];
        const r = await guardedStep(model, infos, chain, optimizer, batch, ctx);
        const [l, c] = [r.loss, r.correct];
        if (!Number.isFinite(l)) {
          stopReason = `loss became ${l} at epoch ${epochNumber(epoch)}, step ${step + 1}; ` +
            `this step was not applied and the checkpoints were left as they were, ` +
            `try a lower learning rate`;
          break;
        }
        partial.loss += l * n;
        partial.correct += c;
        partial.seen += n;
        const now = performance.now();
        const stepSeconds = (now - t0) / 1000;
        partial.seconds += stepSeconds;
        t0 = now;
        step++;
        const done = { iteration: epoch * steps + step, epoch, loss: l, correct: c, images: n };
        const point = await curve.step(done, model, o.val, optimizer.lr);
        if (point) run.record("curve", point);
        if (point) t0 = performance.now(); // the evaluation is not training time
        if (chain.has("onStepEnd")) {
          const { loss, correct, seen, seconds } = partial;
          const batchAcc = c / n, acc = correct / seen, imagesPerSec = seen / seconds;
          const m: StepMetrics = {
            epoch,
            step: step - 1,
            steps,
            images: n,
            batchLoss: l,
            batchAcc,
            stepSeconds,
            loss: loss / seen,
            acc,
            seconds,
            imagesPerSec,
            lr: optimizer.lr,
          };
          chain.onStepEnd(m, ctx);
        }
        at = { epoch, step };
        if (o.signal?.aborted && step < steps) {
          interrupted = true;
          break;
        }
      }
      if (stopReason !== undefined || interrupted) break;
      if (chain.has("beforeValidation")) {
        const sources = { model, train: o.train, batchSize, validate };
        await chain.beforeValidation(validationContext(run, epoch, sources));
      }
      const val = await validate();
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
      at = { epoch: epoch + 1, step: 0 };
      const asked = new Set<CheckpointSlot>();
      const ectx: EpochContext = {
        ...run,
        epoch,
        learningRate: optimizer.lr,
        history: () => history,
        tables: () => recorder.toJSON(),
        setLearningRate: (lr) => {
          if (!(lr > 0)) throw new RangeError(`setLearningRate: lr must be positive, got ${lr}`);
          optimizer.lr = lr;
        },
        requestStop: (reason) => void (stopReason ??= reason),
        saveWeights: (slot) => store.save(slot),
        restoreWeights: (slot) => store.restore(slot),
        checkpoint: askFor(asked),
      };
      await chain.onEpochEnd(metrics, ectx);
      if (stopReason) log(`stopping: ${stopReason}`);
      // Written after every callback ran, so the saved plugin states agree.
      const written = await writeCheckpoints(asked, at);
      if (written.includes("best")) log(`saved checkpoints/best at ${describePosition(at)}`);
      // Aborted during the epoch's last step: the epoch is finished, the run stops here.
      if (o.signal?.aborted && stopReason === undefined) interrupted = true;
    }
    // "interrupted" is not saved as the stop reason: a resumed run must go on.
    const reason = interrupted ? "interrupted" : stopReason ?? "completed";
    const stop: RunStop = { ...at, reason, interrupted };
    const asked = new Set<CheckpointSlot>();
    const sctx: StopContext = { ...run, checkpoint: askFor(asked) };
    await chain.onStop(stop, sctx);
    const written = await writeCheckpoints(asked, at);
    const said = stopMessage(interrupted, written, at);
    if (said) log(said);
    if (o.test && !interrupted && store.has("best")) store.restore("best");
    if (!interrupted) await finalGradients({ model, infos, chain, pipeline, stopReason }, run);
    if (o.test && !interrupted) {
      test = await evaluate(model, o.test, { batchSize: 256, probabilities: false });
    }
    await chain.onRunEnd({
      stop,
      history,
      tables: recorder.toJSON(),
      test,
      startedAt,
      endedAt: new Date(),
    }, run);
  } finally {
    try {
      await chain.teardown(run);
    } finally {
      store.dispose();
      optimizer.dispose();
    }
  }
  return {
    history,
    tables: recorder.toJSON(),
    test,
    stopReason: interrupted ? "interrupted" : stopReason ?? "completed",
    interrupted,
  };
}
