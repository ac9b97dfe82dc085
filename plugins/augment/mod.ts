/**
 * Augmentation plugins: random flip and brightness (the paper's), random crop
 * and cutout. Each is a typed factory with a strict zod options schema, and
 * draws its randomness from the step's seeded `rng`.
 * @module
 */
export * from "./flip.ts";
export * from "./brightness.ts";
export * from "./random_crop.ts";
export * from "./cutout.ts";
