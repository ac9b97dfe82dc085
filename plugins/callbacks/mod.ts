/**
 * Built-in callbacks: plugins that steer a run at the end of each epoch.
 * @module
 */
export * from "./reduce_lr_on_plateau.ts";
export * from "./early_stopping.ts";
export * from "./model_checkpoint.ts";
export * from "./terminate_on_nan.ts";
export * from "./precise_bn.ts";
