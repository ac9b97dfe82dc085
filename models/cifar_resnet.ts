import { resnetSpec } from "./resnet.ts";
import type { ResNetSpec } from "./spec.ts";

/** Options of {@linkcode cifarResnetSpec}. */
export interface CifarResNetOptions {
  /** Weight layers on the main path, 6n + 2 (20, 32, 44, 56, 110, …). */
  readonly depth: number;
  /** Registered name. @default `resnet${depth}`, or `plain${depth}` without skips */
  readonly name?: string;
  /** Skip connections; false gives the plain net of the same depth. @default true */
  readonly skip?: boolean;
  /** Shortcut where stride or width change. @default "zero_pad" (He et al.'s option A) */
  readonly shortcut?: "projection" | "zero_pad";
}

/** The depths He et al. 2016 report on CIFAR-10 (Table 6, Figure 6). */
export const CIFAR_RESNET_DEPTHS: readonly number[] = [20, 32, 44, 56, 110];

/**
 * The CIFAR-10 networks of He et al. 2016 (§4.2): a 3×3 stem of 16 filters,
 * three stages of n basic blocks with 16, 32 and 64 filters (the 2nd and 3rd
 * starting at stride 2), global average pooling and a 10-way dense softmax
 * without dropout — 6n + 2 weight layers. With option A shortcuts a ResNet
 * has exactly the weights of its plain counterpart (269,722 at depth 20).
 *
 * @example ResNet-56 and plain-56
 * ```ts
 * import { cifarResnetSpec } from "./cifar_resnet.ts";
 * const resnet56 = cifarResnetSpec({ depth: 56 });
 * const plain56 = cifarResnetSpec({ depth: 56, skip: false });
 * console.log(resnet56.stages.map((s) => s.blocks), plain56.name); // [ 9, 9, 9 ] plain56
 * ```
 */
export function cifarResnetSpec(options: CifarResNetOptions): ResNetSpec {
  const { depth, skip = true, shortcut = "zero_pad" } = options;
  const name = options.name ?? `${skip ? "resnet" : "plain"}${depth}`;
  const n = (depth - 2) / 6;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Cannot build "${name}": 'depth' must be 6n + 2 for an integer n ≥ 1 (20, 32, 44, 56, 110, …), got ${depth}`,
    );
  }
  return resnetSpec({ name, layers: [n, n, n], width: 16, skip, dropout: 0, shortcut });
}
