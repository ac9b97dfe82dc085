/**
 * Using a trained model: load a run directory or a model folder, classify
 * PNG and JPEG images normalised as in training, and export to tfjs's
 * LayersModel format for web pages and Node.
 * @module
 */
export * from "./load_run.ts";
export * from "./image.ts";
export * from "./resize.ts";
export * from "./predict.ts";
export * from "./export_model.ts";
