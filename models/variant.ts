import type { ModelSpec } from "./spec.ts";

/** Changes {@linkcode modelVariant} applies to an architecture. */
export interface VariantOptions {
  /** Multiplies every layer's width (filters), rounding to at least 1. @default 1 */
  readonly width?: number;
  /** Dropout before the classifier. @default the spec's */
  readonly dropout?: number;
  /** Number of classes. @default the spec's */
  readonly classes?: number;
  /**
   * A residual network's shortcut where stride or width change: `projection`
   * (1×1 conv + BN) or `zero_pad` (He et al.'s option A). @default the spec's
   */
  readonly shortcut?: "projection" | "zero_pad";
}

/**
 * A variant of an architecture: wider or narrower, another dropout or number
 * of classes. Handy for quick runs (`width: 0.25`) and wide ResNets
 * (`width: 2`).
 *
 * @example A quarter-width ResNet-18
 * ```ts
 * import { createModelRegistry } from "./zoo.ts";
 * import { modelVariant } from "./variant.ts";
 * const small = modelVariant(createModelRegistry().get("resnet18"), { width: 0.25 });
 * console.log(small.family === "resnet" && small.stem.filters); // 16
 * ```
 */
export function modelVariant(spec: ModelSpec, options: VariantOptions): ModelSpec {
  const { width = 1, dropout = spec.dropout, classes = spec.classes } = options;
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new RangeError(
      `Cannot make a variant of "${spec.name}": 'width' must be a positive number, got ${width}`,
    );
  }
  if (!(dropout >= 0 && dropout < 1)) {
    throw new RangeError(
      `Cannot make a variant of "${spec.name}": 'dropout' must be in [0, 1), got ${dropout}`,
    );
  }
  const { shortcut } = options;
  if (shortcut !== undefined && shortcut !== "projection" && shortcut !== "zero_pad") {
    throw new RangeError(
      `Cannot make a variant of "${spec.name}": 'shortcut' must be 'projection' or 'zero_pad', got '${shortcut}'`,
    );
  }
  if (shortcut !== undefined && spec.family !== "resnet") {
    throw new RangeError(
      `Cannot make a variant of "${spec.name}": 'shortcut' applies to residual networks, ` +
        `not to the '${spec.family}' family`,
    );
  }
  const w = (f: number) => Math.max(1, Math.round(f * width));
  const common = { ...spec, dropout, classes };
  if (spec.family === "plain_cnn") {
    return {
      ...common,
      family: "plain_cnn",
      blocks: spec.blocks.map((b) => ({ ...b, filters: w(b.filters) })),
    };
  }
  return {
    ...common,
    family: "resnet",
    stem: { ...spec.stem, filters: w(spec.stem.filters) },
    stages: spec.stages.map((s) => ({ ...s, filters: w(s.filters) })),
    ...(shortcut !== undefined && { shortcut }),
  } as ModelSpec;
}
