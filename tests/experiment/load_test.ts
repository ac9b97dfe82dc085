import assert from "node:assert/strict";
import { ConfigError, loadExperiment, loadExperiments } from "../../experiment/load.ts";
import { flagOfPath, overridesFromSettings } from "../../experiment/overrides.ts";

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

const RECIPE = "experiment/builtin/paper-recipe.yaml";

Deno.test("loadExperiment() reads the paper recipe with its values and fills defaults", async () => {
  const exp = await loadExperiment("experiment/builtin/resnet18.yaml");
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

Deno.test("loadExperiment(): the paper recipe initialises as Keras does, others as skiplab did", async () => {
  assert.equal((await loadExperiment(RECIPE)).init, "keras");
  assert.equal((await loadExperiment("experiment/builtin/resnet18.yaml")).init, "keras");
  await withFiles({ "plain.yaml": "name: p\nmodel: baseline_cnn\n" }, async (dir) => {
    assert.equal((await loadExperiment(`${dir}/plain.yaml`)).init, "he");
  });
  await withFiles({ "bad.yaml": "name: p\nmodel: baseline_cnn\ninit: caffe\n" }, async (dir) => {
    await assert.rejects(
      () => loadExperiment(`${dir}/bad.yaml`),
      /bad\.yaml:3:1: init: .*"keras".*"pytorch".*"he"/,
    );
  });
});

Deno.test("loadExperiment() appends a child's new plugins and replaces same-named ones", async () => {
  const exp = await loadExperiment("experiment/builtin/resnet18_noskip.yaml");
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
  const exp = await loadExperiment("experiment/builtin/resnet18.yaml", {
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

const recipeAbs = `${Deno.cwd()}/${RECIPE}`;

const rejectsWith = async (file: string, ...messages: RegExp[]) =>
  await assert.rejects(() => loadExperiment(file), (e: Error) => {
    assert.ok(e instanceof ConfigError, String(e));
    for (const m of messages) assert.match(e.message, m);
    return true;
  });

Deno.test("loadExperiment() rejects an unknown model at its line, with a suggestion", async () => {
  await withFiles(
    { "m.yaml": `extends: ${recipeAbs}\nname: m\nmodel: resnet19\n` },
    async (dir) => {
      await rejectsWith(
        `${dir}/m.yaml`,
        /m\.yaml:3:1: model: Unknown model 'resnet19'\. Did you mean 'resnet18'/,
      );
    },
  );
});

Deno.test("loadExperiment() checks each plugin's options by its own schema, at the option's line", async () => {
  await withFiles({
    "p.yaml": `extends: ${recipeAbs}\nname: p\nplugins:\n` +
      `  - name: callbacks/early-stopping\n    options: { patience: "seven", pateince: 3 }\n` +
      `  - name: augment/flipp\n`,
  }, async (dir) => {
    // Every problem at once, each at its place in the file that wrote it, as that file numbers
    // its plugins (the merged list puts early-stopping at another index).
    await rejectsWith(
      `${dir}/p.yaml`,
      /p\.yaml:5:16: plugins\[0\]\.options\.patience: .*expected number.*got "seven".*callbacks\/early-stopping/,
      /p\.yaml:5:35: plugins\[0\]\.options\.pateince: Unrecognized key.*known options: monitor/,
      /p\.yaml:6:5: plugins\[1\]\.name: Unknown plugin 'augment\/flipp'\. Did you mean 'augment\/flip'/,
    );
  });
});

Deno.test("loadExperiment() locates a bad option of an inherited plugin in the parent", async () => {
  await withFiles({
    "parent.yaml": "name: p\nmodel: resnet18\nplugins:\n  - name: augment/flip\n" +
      "    options: { p: 2 }\n",
    "child.yaml": "extends: parent.yaml\nname: c\nplugins:\n  - name: probes/gradient-norms\n",
  }, async (dir) => {
    await rejectsWith(`${dir}/child.yaml`, /parent\.yaml:5:16: plugins\[0\]\.options\.p: .*<=1/);
  });
});

Deno.test("loadExperiment() refuses a learning-rate schedule with reduce-lr-on-plateau", async () => {
  await withFiles({
    "s.yaml": `extends: ${recipeAbs}\nname: s\nschedule: { type: cosine }\n`,
  }, async (dir) => {
    await rejectsWith(
      `${dir}/s.yaml`,
      /paper-recipe\.yaml:\d+:5: plugins\[2\]: 'callbacks\/reduce-lr-on-plateau' cannot be combined with the 'cosine' learning-rate schedule/,
      /see .*s\.yaml:3:1: schedule/,
    );
  });
  // Without the plateau the same schedule is fine.
  await withFiles(
    { "ok.yaml": "name: ok\nmodel: resnet18\nschedule: { type: cosine }\n" },
    (dir) => loadExperiment(`${dir}/ok.yaml`).then((e) => assert.equal(e.schedule.type, "cosine")),
  );
});

Deno.test("loadExperiment() rejects an ablation the model cannot take", async () => {
  await withFiles({
    "a.yaml": "name: a\nmodel: baseline_cnn\nplugins:\n  - name: ablations/no-skip\n",
  }, async (dir) => {
    await rejectsWith(`${dir}/a.yaml`, /a\.yaml:4:5: plugins\[0\]: .*needs a residual spec/);
  });
});

Deno.test("loadExperiment() names the flag that set a bad value", async () => {
  const values = { "batch-size": "0", limit: "-3" };
  await assert.rejects(
    () => loadExperiment(RECIPE, overridesFromSettings(values), flagOfPath),
    (e: Error) => {
      assert.match(e.message, /^--batch-size: batch_size: Too small/m);
      assert.match(e.message, /^--limit: data\.limit: Too small/m);
      return true;
    },
  );
});

Deno.test("loadExperiments() reports the problems of every member at once", async () => {
  await withFiles({
    "a.yaml": "name: a\nmodel: resnet19\n",
    "b.yaml": "name: b\nmodel: resnet18\n",
    "c.yaml": "name: c\nmodel: resnet18\nepochs: 0\n",
  }, async (dir) => {
    const files = ["a", "b", "c"].map((n) => `${dir}/${n}.yaml`);
    await assert.rejects(() => loadExperiments(files), (e: Error) => {
      assert.match(e.message, /a\.yaml:2:1: model: Unknown model 'resnet19'/);
      assert.match(e.message, /c\.yaml:3:1: epochs: Too small/);
      assert.doesNotMatch(e.message, /b\.yaml/);
      return true;
    });
    const [b] = await loadExperiments([files[1]]);
    assert.equal(b.name, "b");
  });
});

Deno.test("loadExperiment() accepts every shipped experiment", async () => {
  const files = [...Deno.readDirSync("experiment/builtin")].map((e) => e.name)
    // Suites (paper.yaml, paper-init.yaml, degradation.yaml) list `members:` instead.
    .filter((n) =>
      n.endsWith(".yaml") && !/^members:/m.test(Deno.readTextFileSync(`experiment/builtin/${n}`))
    );
  assert.ok(files.length >= 5, String(files));
  const exps = await loadExperiments(files.map((f) => `experiment/builtin/${f}`));
  assert.deepEqual(exps.map((e) => e.name).sort(), files.map((f) => f.replace(".yaml", "")).sort());
});
