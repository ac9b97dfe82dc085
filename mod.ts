/**
 * skiplab: deep-CNN experiments on TensorFlow.js, Deno first.
 *
 * Build a registered architecture (or your own spec), load CIFAR-10 or the
 * synthetic dataset, train with one custom loop that plugins extend
 * (augmentation, callbacks, gradient probes, ablations), then load, evaluate,
 * predict with or export what was trained.
 *
 * This entry point holds what those steps need. The rest of each folder is
 * one subpath away: `@skiplab/skiplab/core`, `/layers`, `/models`, `/data`,
 * `/backends`, `/train` (observers, checkpoints, the step), `/plugins` (each
 * built-in plugin's factory), `/analysis` (tables, statistics, charts,
 * reports), `/rundir` (the run directory's files) and `/inference`.
 *
 * @example Train a small ResNet on synthetic data, with a built-in plugin by name
 * ```ts
 * import {
 *   buildModel, createPluginRegistry, instantiatePlugin, resnetSpec, syntheticDataset, train,
 * } from "@skiplab/skiplab";
 * const data = syntheticDataset({ seed: 1, train: 64, val: 32, test: 32 });
 * const model = buildModel(resnetSpec({ name: "tiny", layers: [1], width: 4 }), { seed: 1 });
 * const flip = await instantiatePlugin({ name: "augment/flip" }, createPluginRegistry());
 * const result = await train({
 *   model, ...data, epochs: 1, batchSize: 32,
 *   optimizer: { type: "adam", lr: 1e-3 }, plugins: [flip],
 * });
 * console.log(result.history.length, result.test !== undefined); // 1 true
 * model.dispose();
 * ```
 * @module
 */

// Tensors and models as tfjs types them, the batch plugins see, and the
// seeded generator and name registry everything else builds on.
export { Registry, Rng } from "./core/mod.ts";
export type {
  Batch,
  LayersModel,
  NamedTensorMap,
  SymbolicTensor,
  Tensor,
  Tensor2D,
  Tensor4D,
} from "./core/mod.ts";

// Layers: the blocks architectures are made of, for models of your own.
export { classifierHead, convBnAct, residualBlock } from "./layers/mod.ts";
export type {
  ClassifierHeadOptions,
  ConvBnActOptions,
  InitScheme,
  ResidualBlockOptions,
  ShortcutMatch,
} from "./layers/mod.ts";

// Models: architectures as data, one builder, the registry of named models.
export {
  buildModel,
  cifarResnetSpec,
  createModelRegistry,
  modelVariant,
  resnetSpec,
} from "./models/mod.ts";
export type {
  BuildModelOptions,
  CifarResNetOptions,
  CommonSpec,
  ModelSpec,
  PlainBlockSpec,
  PlainCnnSpec,
  ResNetOptions,
  ResNetSpec,
  StageSpec,
  VariantOptions,
} from "./models/mod.ts";

// Data: CIFAR-10 and a synthetic set that a model can learn in seconds.
export { loadCifar10, syntheticDataset } from "./data/mod.ts";
export type {
  ChannelNormalization,
  Cifar10Options,
  ImageSet,
  InputNormalization,
  Progress,
  Splits,
  SyntheticOptions,
} from "./data/mod.ts";

// Backends: pick the fastest that trains here (native oneDNN, wasm, webgpu, cpu).
export { selectBackend } from "./backends/mod.ts";
export type {
  BackendCandidate,
  BackendInfo,
  BackendName,
  SelectBackendOptions,
} from "./backends/mod.ts";

// Training: the loop, its options and result, checkpoints to resume from.
export { evaluate, loadCheckpoint, loadModelFolder, train } from "./train/mod.ts";
export type {
  Checkpoint,
  Evaluation,
  OptimizerConfig,
  ScheduleConfig,
  TrainOptions,
  TrainResult,
  TrainState,
} from "./train/mod.ts";

// Plugins: the hooks a plugin implements and the contexts its hooks receive,
// how to declare one, and how to build the built-in ones by name.
export { createPluginRegistry, definePlugin, instantiatePlugin } from "./plugins/mod.ts";
export type {
  OptionsSchema,
  PluginEntry,
  PluginFactory,
  SchemaIssue,
  SchemaResult,
} from "./plugins/mod.ts";
export type {
  CheckpointSlot,
  EpochContext,
  EpochMetrics,
  NamedGradient,
  Plugin,
  PluginState,
  Row,
  RunContext,
  RunEnd,
  RunPosition,
  RunStop,
  StepContext,
  StepMetrics,
  StopContext,
  ValidationContext,
} from "./train/mod.ts";

// Experiments: load a YAML experiment (extends, overrides, one validation) and run it, as
// `deno task train` does; the rest of the module is `@skiplab/skiplab/experiment`.
export {
  ConfigError,
  experimentFor,
  loadExperiment,
  runExperiment,
  runSuite,
} from "./experiment/mod.ts";
export type {
  Experiment,
  Locate,
  OptimizerSection,
  PluginSection,
  RunOptions,
  RunOutcome,
  ScheduleSection,
  SuiteOptions,
} from "./experiment/mod.ts";
export { UserError } from "./core/mod.ts";
export { BackendUnavailableError } from "./backends/mod.ts";

// Trained models: load a run directory, classify images, export for the web.
export { decodeImage, exportModel, loadRun, predict } from "./inference/mod.ts";
export type {
  ClassScore,
  ExportMetadata,
  ExportOptions,
  LoadedRun,
  LoadRunOptions,
  Prediction,
  PredictOptions,
  RgbImage,
} from "./inference/mod.ts";
// What a loaded run's summary and history hold (files of the run directory).
export type { ArchitectureFacts, EnvironmentFacts, HistoryRow, RunSummary } from "./rundir/mod.ts";
