import { BASELINE_CNN } from "./baseline_cnn.ts";
import { Registry } from "../core/registry.ts";
import { resnetSpec } from "./resnet.ts";
import type { ModelSpec } from "./spec.ts";

/**
 * A registry holding every architecture skiplab ships: the paper's four
 * (`baseline_cnn`, `mini_resnet`, `resnet18`, `resnet18_noskip`) and
 * `resnet34`, `resnet50`, `wide_resnet18_2`.
 *
 * @example Register a variant in one line
 * ```ts
 * import { createModelRegistry } from "./zoo.ts";
 * import { resnetSpec } from "./resnet.ts";
 * const models = createModelRegistry();
 * models.register("resnet10", resnetSpec({ name: "resnet10", layers: [1, 1, 1, 1] }));
 * console.log(models.has("resnet10")); // true
 * ```
 */
export function createModelRegistry(): Registry<ModelSpec> {
  const basic = [2, 2, 2, 2];
  return new Registry<ModelSpec>("model")
    .register("baseline_cnn", BASELINE_CNN)
    .register("mini_resnet", resnetSpec({ name: "mini_resnet", layers: basic, width: 32 }))
    .register("resnet18", resnetSpec({ name: "resnet18", layers: basic }))
    .register(
      "resnet18_noskip",
      resnetSpec({ name: "resnet18_noskip", layers: basic, skip: false }),
    )
    .register("resnet34", resnetSpec({ name: "resnet34", layers: [3, 4, 6, 3] }))
    .register(
      "resnet50",
      resnetSpec({ name: "resnet50", layers: [3, 4, 6, 3], block: "bottleneck" }),
    )
    .register(
      "wide_resnet18_2",
      resnetSpec({ name: "wide_resnet18_2", layers: basic, width: 128 }),
    );
}
