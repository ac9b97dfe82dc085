import assert from "node:assert/strict";
import { join } from "node:path";
import { instantiatePlugin, isPluginFactory } from "../../plugins/load.ts";
import { createPluginRegistry } from "../../plugins/registry.ts";
import { drive, fakeRun } from "./_context.ts";

const registry = createPluginRegistry();
const where = "experiments/resnet18.yaml: plugins[2]";
const pluginTs = new URL("../../plugins/plugin.ts", import.meta.url).href;

Deno.test("instantiatePlugin() builds a registered plugin with validated options", async () => {
  const plugin = await instantiatePlugin(
    { name: "callbacks/reduce-lr-on-plateau", options: { factor: 0.2, patience: 3 } },
    registry,
    where,
  );
  const fake = fakeRun({ lr: 1 });
  await drive(plugin, [1, 1, 1, 1].map((val_loss) => ({ val_loss })), fake);
  assert.equal(fake.lr, 0.2);
});

Deno.test("instantiatePlugin() names where, the option path and the rule of a bad option", async () => {
  await assert.rejects(
    () =>
      instantiatePlugin(
        { name: "callbacks/early-stopping", options: { patience: -1 } },
        registry,
        where,
      ),
    (e: Error) =>
      e instanceof TypeError && e.message.startsWith(where) &&
      e.message.includes("options.patience") &&
      e.message.includes(">=0") && e.message.includes("got -1"),
  );
  await assert.rejects(
    () =>
      instantiatePlugin(
        { name: "callbacks/terminate-on-nan", options: { metrics: ["loss", 3] } },
        registry,
        where,
      ),
    /options\.metrics\[1\]: .*expected string/,
  );
  await assert.rejects(
    () =>
      instantiatePlugin(
        { name: "callbacks/early-stopping", options: { pateince: 7 } },
        registry,
        where,
      ),
    /Unrecognized key: "pateince".*known options: monitor, mode, patience/,
  );
});

Deno.test("instantiatePlugin() rejects unknown names and malformed entries", async () => {
  await assert.rejects(
    () => instantiatePlugin({ name: "callbacks/early-stoping" }, registry, where),
    (e: Error) =>
      e instanceof RangeError && e.message.startsWith(where) &&
      /Did you mean 'callbacks\/early-stopping'/.test(e.message),
  );
  await assert.rejects(
    () => instantiatePlugin({}, registry, where),
    /exactly one of 'name' and 'path'/,
  );
  await assert.rejects(
    () => instantiatePlugin({ name: "a", path: "b.ts" }, registry, where),
    TypeError,
  );
});

Deno.test("instantiatePlugin() loads a user plugin module relative to its YAML file, and it records rows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "steps.ts"),
      `import { z } from "zod";
import { definePlugin } from "${pluginTs}";
export default definePlugin({
  name: "probes/steps",
  description: "Counts steps per epoch",
  schema: z.object({ table: z.string().default("steps") }).strict(),
  create: ({ table }) => {
    let steps = 0;
    return {
      name: "probes/steps",
      afterGradients: () => void steps++,
      onEpochEnd: (m, ctx) => { ctx.record(table, { epoch: m.epoch, steps }); steps = 0; },
    };
  },
});
`,
    );
    const plugin = await instantiatePlugin(
      { path: "./steps.ts", options: { table: "s" } },
      registry,
      where,
      dir,
    );
    const fake = fakeRun();
    for (let s = 0; s < 3; s++) await plugin.afterGradients!([], fake.step(0, s));
    await drive(plugin, [{}], fake);
    assert.deepEqual(fake.rows.s, [{ epoch: 0, steps: 3 }]);

    await assert.rejects(
      () =>
        instantiatePlugin({ path: join(dir, "steps.ts"), options: { table: 1 } }, registry, where),
      /plugin 'probes\/steps': options\.table/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("instantiatePlugin() rejects a module without a factory as its default export", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "none.ts"), "export const x = 1;\n");
    await Deno.writeTextFile(join(dir, "fn.ts"), "export default function probe() {}\n");
    await assert.rejects(
      () => instantiatePlugin({ path: "none.ts" }, registry, where, dir),
      (e: Error) =>
        e instanceof TypeError &&
        /must default-export a plugin factory.*no default export/.test(e.message),
    );
    await assert.rejects(
      () => instantiatePlugin({ path: "fn.ts" }, registry, where, dir),
      /must default-export a plugin factory.*got function probe/,
    );
    await assert.rejects(
      () => instantiatePlugin({ path: "missing.ts" }, registry, where, dir),
      (e: Error) =>
        e instanceof TypeError && e.message.startsWith(`${where}.path`) &&
        /no such file/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the README's custom probe (examples/custom_probe.ts) loads from its path and records rows", async () => {
  const path = new URL("../../examples/custom_probe.ts", import.meta.url).pathname;
  const plugin = await instantiatePlugin({ path, options: { warn_above: 0.1 } }, registry, where);
  const fake = fakeRun({ epochs: 5 });
  await drive(plugin, [{ acc: 0.6, val_acc: 0.55 }, { acc: 0.9, val_acc: 0.7 }], fake);
  assert.equal(fake.rows.overfit_gap.length, 2);
  assert.deepEqual(fake.rows.overfit_gap.map((r) => [r.epoch, +(r.gap as number).toFixed(3)]), [[
    0,
    0.05,
  ], [1, 0.2]]);
  assert.deepEqual(fake.logs, ["overfit gap 0.200 > 0.1 at epoch 2"]);
});

Deno.test("isPluginFactory() accepts built-ins and rejects look-alikes", () => {
  assert.ok(registry.names().every((n) => isPluginFactory(registry.get(n))));
  assert.equal(isPluginFactory({ name: "x", schema: {}, create() {} }), false);
  assert.equal(isPluginFactory(null), false);
});
