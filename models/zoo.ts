import { BASELINE_CNN } from "./baseline_cnn.ts";
import { CIFAR_RESNET_DEPTHS, cifarResnetSpec } from "./cifar_resnet.ts";
import { Registry } from "../core/registry.ts";
import { resnetSpec } from "./resnet.ts";
import type { ModelSpec } from "./spec.ts";

/**
 * A registry holding every architecture skiplab ships: the paper's four
 * (`baseline_cnn`, `mini_resnet`, `resnet18`, `resnet18_noskip`) and
 * `resnet34`, `resnet50`, `wide_resnet18_2`, and He et al. 2016's CIFAR nets
 * `resnet20` … `resnet110` (option A shortcuts) with `plain20` … `plain110`.
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
  const models = new Registry<ModelSpec>("model")
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
  for (const skip of [true, false]) {
    for (const depth of CIFAR_RESNET_DEPTHS) {
      const spec = cifarResnetSpec({ depth, skip });
      models.register(spec.name, spec);
    }
  }
  return models;
}
