/**
 * Composable layers: conv–BN–activation, the residual basic and bottleneck
 * blocks and the classifier head (with a seeded dropout). Each is a function of a
 * symbolic tensor with deterministic layer names.
 * @module
 */
export * from "./conv_bn_act.ts";
export * from "./conv2d.ts";
export * from "./residual_block.ts";
export * from "./classifier_head.ts";
export * from "./init.ts";
// The tfjs aliases live in core/; re-exported so `@skiplab/skiplab/layers` keeps them.
export * from "../core/tf_types.ts";
