import assert from "node:assert/strict";
import { createPluginRegistry } from "../../plugins/registry.ts";

const BUILTINS = [
  "callbacks/reduce-lr-on-plateau",
  "callbacks/early-stopping",
  "callbacks/model-checkpoint",
  "callbacks/terminate-on-nan",
  "callbacks/precise-bn",
  "probes/gradient-norms",
  "probes/timing-memory",
  "ablations/no-skip",
  "ablations/no-batchnorm",
  "augment/flip",
  "augment/brightness",
  "augment/random-crop",
  "augment/cutout",
];

Deno.test("createPluginRegistry() holds every built-in under its own name", () => {
  const registry = createPluginRegistry();
  for (const name of BUILTINS) assert.equal(registry.get(name).name, name);
  assert.deepEqual(registry.names(), BUILTINS);
  for (const [name, factory] of registry.list()) assert.equal(factory.name, name);
});

Deno.test("createPluginRegistry() plugins all build from default options and carry their name", async () => {
  for (const [name, factory] of createPluginRegistry().list()) {
    assert.ok(factory.description.length > 0, `${name} has a description`);
    const plugin = factory.create(factory.schema.parse({}));
    assert.equal(plugin.name, name);
    // A plugin's state survives JSON, as checkpoints store it.
    if (plugin.getState) plugin.setState!(JSON.parse(JSON.stringify(await plugin.getState())));
  }
});

Deno.test("createPluginRegistry() schemas are strict: unknown options are errors", () => {
  for (const [name, factory] of createPluginRegistry().list()) {
    assert.equal(factory.schema.safeParse({ no_such_option: 1 }).success, false, name);
  }
});

Deno.test("createPluginRegistry() returns independent registries", () => {
  const a = createPluginRegistry();
  a.register("probes/mine", a.get("probes/timing-memory"));
  assert.equal(createPluginRegistry().has("probes/mine"), false);
});
