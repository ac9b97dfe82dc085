/**
 * The depth axis of gradient flow: where each weight layer of a built model
 * sits on its main path, so that "depth k" names the same layer in a residual
 * network and in its no-skip ablation.
 * @module
 */

/** A layer on the depth axis. */
export interface DepthPosition {
  /** Layer name, e.g. `stage2_block1_conv1`. */
  readonly layer: string;
  /** `main` for the path every variant shares, `shortcut` for a projection shortcut. */
  readonly path: "main" | "shortcut";
  /**
   * Main path: the index of the layer among the main path's weight layers,
   * input first (0-based). A shortcut (or a layer without a kernel) takes the
   * depth of the main-path layer it belongs to (see {@linkcode depthAxis}).
   */
  readonly depth: number;
}

/** A layer given to {@linkcode depthAxis}: its name and whether it holds a kernel. */
export interface AxisLayer {
  /** Layer name. */
  readonly name: string;
  /** Whether the layer has a `kernel` (a convolution or dense layer). */
  readonly kernel: boolean;
}

const SHORTCUT = /_proj_(conv|bn)$/;

/**
 * Places layers, in model order, on the main-path depth axis. The main path
 * is every kernel layer except projection shortcuts (`…_proj_conv`): the
 * stem, each block's convolutions and the classifier — 18 layers for both
 * resnet18 and resnet18_noskip, the same names at the same depths. A
 * projection shortcut (`stageS_blockB_proj_conv`, `_proj_bn`) is on path
 * `shortcut` at the depth of its block's last main convolution, where the
 * add joins it. A layer without a kernel (batch norm) takes the depth and path
 * of its convolution (`X_bnN` → `X_convN`, `X_bn` → `X_conv`), else of the
 * nearest kernel layer before it.
 *
 * @example
 * ```ts
 * import { depthAxis } from "./depth_axis.ts";
 * const axis = depthAxis([
 *   { name: "stem_conv", kernel: true },
 *   { name: "s1_block1_conv1", kernel: true },
 *   { name: "s1_block1_proj_conv", kernel: true },
 *   { name: "s1_block1_conv2", kernel: true },
 *   { name: "predictions", kernel: true },
 * ]);
 * console.log(axis.map((p) => `${p.layer}:${p.path}:${p.depth}`).join(" "));
 * // stem_conv:main:0 s1_block1_conv1:main:1 s1_block1_proj_conv:shortcut:2 s1_block1_conv2:main:2 predictions:main:3
 * ```
 */
export function depthAxis(layers: readonly AxisLayer[]): DepthPosition[] {
  const main = new Map<string, number>();
  for (const l of layers) if (l.kernel && !SHORTCUT.test(l.name)) main.set(l.name, main.size);
  const blockEnd = (prefix: string): number => {
    let end = -1;
    for (const [name, d] of main) if (name.startsWith(`${prefix}_`)) end = Math.max(end, d);
    return end;
  };
  const out: DepthPosition[] = [];
  const placed = new Map<string, DepthPosition>();
  let previous: DepthPosition | undefined;
  for (const l of layers) {
    let p: DepthPosition | undefined;
    if (SHORTCUT.test(l.name)) {
      const end = blockEnd(l.name.replace(SHORTCUT, ""));
      p = { layer: l.name, path: "shortcut", depth: end >= 0 ? end : previous?.depth ?? 0 };
    } else if (main.has(l.name)) {
      p = { layer: l.name, path: "main", depth: main.get(l.name)! };
    } else {
      const conv = placed.get(l.name.replace(/_bn(\d*)$/, "_conv$1"));
      const at = conv ?? previous;
      p = { layer: l.name, path: at?.path ?? "main", depth: at?.depth ?? 0 };
    }
    out.push(p);
    placed.set(l.name, p);
    if (l.kernel) previous = p;
  }
  return out;
}
