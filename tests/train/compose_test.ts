import assert from "node:assert/strict";
import { composePlugins, PluginError } from "../../train/compose.ts";
import type { Plugin, PluginState } from "../../plugins/plugin.ts";
import type { ModelSpec } from "../../models/spec.ts";
import type { Batch } from "../../train/types.ts";
import { fakeRun, metrics } from "../plugins/_context.ts";

const spec: ModelSpec = {
  name: "m",
  family: "plain_cnn",
  inputShape: [8, 8, 1],
  classes: 2,
  dropout: 0,
  batchNorm: true,
  blocks: [],
};

/** A plugin that logs each hook call as `<name>.<hook>`, optionally after a delay. */
function tracer(name: string, calls: string[], delayMs = 0): Plugin {
  const later = (hook: string) =>
    new Promise<void>((ok) => setTimeout(() => (calls.push(`${name}.${hook}`), ok()), delayMs));
  return {
    name,
    setup: () => later("setup"),
    afterGradients: () => later("afterGradients"),
    onEpochEnd: () => later("onEpochEnd"),
    teardown: () => later("teardown"),
  };
}

Deno.test("composePlugins() calls each hook of each plugin in order, awaiting async hooks", async () => {
  const calls: string[] = [];
  const chain = composePlugins([tracer("a", calls, 5), tracer("b", calls)]);
  const fake = fakeRun();
  await chain.setup(fake.run);
  await chain.afterGradients([], fake.step(0, 0));
  await chain.onEpochEnd(metrics(0), fake.epoch(0));
  await chain.teardown(fake.run);
  assert.deepEqual(calls, [
    "a.setup",
    "b.setup",
    "a.afterGradients",
    "b.afterGradients",
    "a.onEpochEnd",
    "b.onEpochEnd",
    "a.teardown",
    "b.teardown",
  ]);
});

Deno.test("composePlugins() chains transformModel and transformBatch", () => {
  const chain = composePlugins([
    { name: "a", transformModel: (s) => ({ ...s, name: `${s.name}+a` }) },
    { name: "noop" },
    { name: "b", transformModel: (s) => ({ ...s, name: `${s.name}+b` }) },
  ]);
  assert.equal(chain.transformModel(spec).name, "m+a+b");

  const seen: unknown[] = [];
  const b1 = { xs: 1, ys: 1 } as unknown as Batch;
  const b2 = { xs: 2, ys: 2 } as unknown as Batch;
  const batches = composePlugins([
    { name: "swap", transformBatch: (b) => (seen.push(b), b2) },
    { name: "look", transformBatch: (b) => (seen.push(b), b) },
  ]);
  assert.equal(batches.transformBatch(b1, fakeRun().step(0, 0)), b2);
  assert.deepEqual(seen, [b1, b2]);
});

Deno.test("composePlugins() reports which hooks some plugin implements", () => {
  const chain = composePlugins([{ name: "a", onEpochEnd: () => {} }, { name: "b" }]);
  assert.equal(chain.has("onEpochEnd"), true);
  assert.equal(chain.has("afterGradients"), false);
  assert.equal(composePlugins([]).has("transformBatch"), false);
});

Deno.test("composePlugins() wraps a hook's error as a PluginError with the plugin's own stack", async () => {
  function failingHook(): Promise<void> {
    return Promise.reject(new RangeError("boom"));
  }
  const chain = composePlugins([
    { name: "ok" },
    { name: "bad", onEpochEnd: failingHook },
    {
      name: "worse",
      transformModel: () => {
        throw new TypeError("no");
      },
    },
  ]);
  await assert.rejects(
    () =>
      composePlugins([{ name: "probe", afterGradients: failingHook }])
        .afterGradients([], fakeRun().step(0, 0)),
    (e: Error) =>
      e instanceof PluginError && e.plugin === "probe" && e.hook === "afterGradients" &&
      e.message === "Plugin 'probe' failed in afterGradients: boom",
  );
  await assert.rejects(
    () => chain.onEpochEnd(metrics(0), fakeRun().epoch(0)),
    (e: Error) =>
      e instanceof PluginError && e.plugin === "bad" && e.hook === "onEpochEnd" &&
      e.message === "Plugin 'bad' failed in onEpochEnd: boom" && e.cause instanceof RangeError &&
      e.stack!.startsWith("PluginError: Plugin 'bad' failed in onEpochEnd: boom\n") &&
      /at .*failingHook.*compose_test\.ts:\d+:\d+\)/.test(e.stack!),
  );
  assert.throws(
    () => chain.transformModel(spec),
    (e: Error) =>
      e instanceof PluginError && /'worse' failed in transformModel: no/.test(e.message) &&
      (e.cause as Error).message === "no" && /compose_test\.ts/.test(e.stack!.split("\n")[1]),
  );
});

Deno.test("composePlugins() runs every teardown even when one throws, then rethrows the first error", async () => {
  const calls: string[] = [];
  const chain = composePlugins([
    {
      name: "x",
      teardown: () => {
        throw new Error("first");
      },
    },
    tracer("y", calls),
    { name: "z", teardown: () => Promise.reject(new Error("second")) },
  ]);
  await assert.rejects(() => chain.teardown(fakeRun().run), /Plugin 'x' failed in teardown: first/);
  assert.deepEqual(calls, ["y.teardown"]);
});

Deno.test("composePlugins() saves and restores state by plugin name, numbering repeats", async () => {
  const counter = (name: string, start: number): Plugin & { n: number } => {
    const p = {
      name,
      n: start,
      getState: (): PluginState => p.n,
      setState: (s: PluginState) => void (p.n = s as number),
    };
    return p;
  };
  const [a, a2, b] = [counter("a", 1), counter("a", 2), counter("b", 3)];
  // A state held on the device is read asynchronously: the chain awaits it.
  const read: Plugin = { ...b, getState: () => Promise.resolve(b.n) };
  const chain = composePlugins([a, { name: "stateless" }, a2, read]);
  assert.deepEqual(chain.keys, ["a", "stateless", "a#2", "b"]);
  const saved = await chain.getState();
  assert.deepEqual(saved, { a: 1, "a#2": 2, b: 3 });

  const [c, c2, d] = [counter("a", 0), counter("a", 0), counter("b", 0)];
  composePlugins([c, c2, d]).setState({ a: 1, "a#2": 2 });
  assert.deepEqual([c.n, c2.n, d.n], [1, 2, 0], "a plugin without a saved entry keeps its state");

  assert.throws(
    () => composePlugins([c]).setState(saved),
    (e: Error) => e instanceof RangeError && /'a#2' names no plugin/.test(e.message),
  );
});
