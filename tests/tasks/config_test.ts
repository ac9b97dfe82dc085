import assert from "node:assert/strict";
import { ConfigError, loadExperiment } from "../../tasks/config.ts";

async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const RECIPE = "tasks/experiments/paper-recipe.yaml";

Deno.test("loadExperiment() reads the paper recipe with its values and fills defaults", async () => {
  const exp = await loadExperiment("tasks/experiments/resnet18.yaml");
  assert.equal(exp.name, "resnet18");
  assert.equal(exp.model, "resnet18");
  assert.deepEqual([exp.epochs, exp.batch_size, exp.optimizer.type, exp.optimizer.lr], [
    30,
    64,
    "adam",
    0.001,
  ]);
  const plateau = exp.plugins.find((p) => p.name === "callbacks/reduce-lr-on-plateau");
  assert.deepEqual(plateau?.options, { monitor: "val_loss", factor: 0.2, patience: 3 });
  assert.equal(exp.data.val_size, 5000);
  assert.ok(Object.isFrozen(exp));
});

Deno.test("loadExperiment() appends a child's new plugins and replaces same-named ones", async () => {
  const exp = await loadExperiment("tasks/experiments/resnet18_noskip.yaml");
  assert.equal(exp.plugins.at(-1)?.name, "ablations/no-skip");
  const parent = await loadExperiment(RECIPE);
  assert.equal(exp.plugins.length, parent.plugins.length + 1);
  await withFiles({
    "child.yaml":
      `extends: ${Deno.cwd()}/${RECIPE}\nname: c\nplugins:\n  - name: callbacks/early-stopping\n    options: { patience: 2 }\n`,
  }, async (dir) => {
    const c = await loadExperiment(`${dir}/child.yaml`);
    assert.deepEqual(c.plugins.find((p) => p.name === "callbacks/early-stopping")?.options, {
      patience: 2,
    });
    assert.equal(c.plugins.length, parent.plugins.length);
  });
});

Deno.test("loadExperiment() applies overrides after the file", async () => {
  const exp = await loadExperiment("tasks/experiments/resnet18.yaml", {
    epochs: 1,
    data: { source: "synthetic", limit: 256 },
    optimizer: { lr: 0.01 },
  });
  assert.equal(exp.epochs, 1);
  assert.deepEqual([exp.data.source, exp.data.limit, exp.data.val_size], ["synthetic", 256, 5000]);
  assert.deepEqual([exp.optimizer.type, exp.optimizer.lr], ["adam", 0.01]);
});

const BAD: [string, string, RegExp][] = [
  [
    "unknown key",
    "name: x\nmodel: resnet18\nepochz: 3\n",
    /bad\.yaml:3:1: epochz: unknown key 'epochz'|bad\.yaml:3:1: .*unknown key 'epochz'/,
  ],
  [
    "nested unknown key",
    "name: x\nmodel: resnet18\ndata:\n  sorce: cifar10\n",
    /bad\.yaml:4:3: data\.sorce: unknown key 'sorce'|bad\.yaml:4:3: .*'sorce'/,
  ],
  ["a wrong type", "name: x\nmodel: resnet18\nepochs: three\n", /bad\.yaml:3:1: epochs: .*number/i],
  [
    "an out-of-range value",
    "name: x\nmodel: resnet18\nbatch_size: 0\n",
    /bad\.yaml:3:1: batch_size: .*>=1/,
  ],
  ["bad YAML", "name: x\nmodel: [resnet18\n", /bad\.yaml:\d+:\d+: invalid YAML/],
  [
    "bad plugin entry",
    "name: x\nmodel: m\nplugins:\n  - options: {}\n",
    /bad\.yaml:4:5: plugins\[0\]: .*exactly one of 'name' or 'path'/,
  ],
];

for (const [what, text, message] of BAD) {
  Deno.test(`loadExperiment() reports ${what} with file, line and key path`, async () => {
    await withFiles({ "bad.yaml": text }, async (dir) => {
      await assert.rejects(() => loadExperiment(`${dir}/bad.yaml`), (e: Error) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  });
}

Deno.test("loadExperiment() locates errors of an inherited key in the parent file", async () => {
  await withFiles({
    "parent.yaml": "name: p\nmodel: resnet18\nseed: -1\n",
    "child.yaml": "extends: parent.yaml\nname: c\n",
  }, async (dir) => {
    await assert.rejects(() => loadExperiment(`${dir}/child.yaml`), {
      message: /parent\.yaml:3:1: seed: /,
    });
  });
});
