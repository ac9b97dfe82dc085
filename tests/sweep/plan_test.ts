import assert from "node:assert/strict";
import { ConfigError } from "../../experiment/load.ts";
import { main } from "../../tasks/cli.ts";
import { MAX_SWEEP_MEMBERS, planSweep } from "../../sweep/plan.ts";

const BASE = `name: base
model: baseline_cnn
data: { source: synthetic, limit: 64 }
epochs: 1
plugins:
  - name: callbacks/early-stopping
    options: { patience: 5, monitor: val_loss }
`;

async function files(sweep: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/base.yaml`, BASE);
  await Deno.writeTextFile(`${dir}/sweep.yaml`, sweep);
  return dir;
}

Deno.test("planSweep() validates every member as an experiment and records setting, values and seed", async () => {
  const dir = await files(`name: s
experiment: base.yaml
grid:
  optimizer.lr: [0.001, 0.01]
  plugins.callbacks/early-stopping.patience: [2]
seeds: [3, 4]
`);
  try {
    const plan = await planSweep(`${dir}/sweep.yaml`, { out: `${dir}/runs` });
    assert.equal(plan.dir, `${dir}/runs/s`);
    assert.deepEqual(plan.index.members.map((m) => [m.dir, m.setting, m.seed]), [
      ["lr-0.001_patience-2_seed-3", "lr-0.001_patience-2", 3],
      ["lr-0.001_patience-2_seed-4", "lr-0.001_patience-2", 4],
      ["lr-0.01_patience-2_seed-3", "lr-0.01_patience-2", 3],
      ["lr-0.01_patience-2_seed-4", "lr-0.01_patience-2", 4],
    ]);
    const exp = plan.experiments.get("lr-0.01_patience-2_seed-4")!;
    assert.equal(exp.name, "lr-0.01_patience-2_seed-4");
    assert.equal(exp.seed, 4);
    assert.equal(exp.optimizer.lr, 0.01);
    assert.equal(exp.optimizer.type, "adam");
    assert.deepEqual(exp.plugins[0].options, { patience: 2, monitor: "val_loss" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task sweep reports every bad member at file:line:col and trains none", async () => {
  const dir = await files(`name: s
experiment: base.yaml
grid:
  optimizer.lr: [0.001, -1]
  plugins.callbacks/early-stopping.patiense: [2]
random:
  count: 1
  axes:
    batch_size: { int: [0, 0] }
`);
  try {
    await assert.rejects(
      () => main(["sweep", `${dir}/sweep.yaml`, "--out", `${dir}/runs`]),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        const lines = e.message.split("\n");
        assert.ok(
          lines.includes(
            `${dir}/sweep.yaml:4:25: optimizer.lr: Too small: expected number to be >0`,
          ),
          e.message,
        );
        assert.ok(
          lines.some((l) =>
            l.startsWith(`${dir}/sweep.yaml:5:47: plugins[0].options.patiense: Unrecognized key`)
          ),
          e.message,
        );
        assert.ok(
          lines.includes(
            `${dir}/sweep.yaml:9:5 (drawn 0): batch_size: Too small: expected number to be >=1`,
          ),
          e.message,
        );
        assert.equal(lines.length, 3, "each problem once, not once per member");
        return true;
      },
    );
    assert.equal(await Deno.stat(`${dir}/runs`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("planSweep() names the sweep file's line for a bad key and refuses a flag that sets a swept key", async () => {
  const dir = await files(`name: s
experiment: base.yaml
grid:
  optimizer.lr: []
seeds: 2
colour: blue
`);
  try {
    await assert.rejects(() => planSweep(`${dir}/sweep.yaml`), (e: Error) => {
      assert.match(e.message, new RegExp(`sweep\\.yaml:4:3: grid\\.optimizer\\.lr: Too small`));
      assert.match(e.message, /sweep\.yaml:6:1: colour: unknown key 'colour'/);
      return true;
    });
    await Deno.writeTextFile(
      `${dir}/ok.yaml`,
      "name: s\nexperiment: base.yaml\ngrid: { optimizer.lr: [0.1] }\nseeds: 2\n",
    );
    await assert.rejects(
      () => planSweep(`${dir}/ok.yaml`, { optimizer: { lr: 0.5 }, seed: 3 }),
      /--lr: sets 'optimizer\.lr', which .* sweeps; drop the flag or the axis\n--seed: sets 'seed'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every shipped sweep file expands into valid members", async () => {
  const dir = "experiment/builtin/sweeps";
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".yaml"));
  assert.ok(files.length >= 1);
  for (const f of files) {
    const plan = await planSweep(`${dir}/${f.name}`, {});
    assert.ok(plan.index.members.length > 1, f.name);
  }
});

Deno.test("planSweep() refuses a sweep expanding past MAX_SWEEP_MEMBERS, naming the file, count and bound", async () => {
  const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]`;
  const dir = await files(
    `name: big\nexperiment: base.yaml\ngrid:\n  epochs: ${values(200)}\n  batch_size: ${
      values(100)
    }\nseeds: 3\n`,
  );
  try {
    await assert.rejects(
      () => planSweep(`${dir}/sweep.yaml`, { out: `${dir}/runs` }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message.includes(`${dir}/sweep.yaml: the sweep expands to 60000 members`) &&
        e.message.includes(`over the ${MAX_SWEEP_MEMBERS} allowed`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
