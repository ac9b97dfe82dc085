import assert from "node:assert/strict";
import { selectBackend } from "../../backends/mod.ts";
import { createPluginRegistry, instantiatePlugin, type Plugin } from "../../plugins/mod.ts";
import { CheckpointError, readCheckpointManifest } from "../../rundir/mod.ts";
import { loadCheckpoint, train } from "../../train/mod.ts";
import { TINY_DATA, tinyModel } from "../train/_tiny.ts";

await selectBackend("cpu");

Deno.test("readCheckpointManifest() names the field a mid-epoch checkpoint lacks for its model", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A real mid-epoch checkpoint: interrupted after the second step of the first epoch.
    const ctl = new AbortController();
    const interrupter: Plugin = {
      name: "test/interrupter",
      transformBatch: (b, ctx) => (ctx.globalStep === 1 && ctl.abort(), b),
    };
    const model = tinyModel();
    const r = await train({
      model,
      ...TINY_DATA,
      epochs: 1,
      batchSize: 32,
      optimizer: { type: "adam", lr: 1e-3 },
      plugins: [
        interrupter,
        // The plugin that asks for checkpoints/last, also when a run is interrupted.
        await instantiatePlugin({ name: "callbacks/model-checkpoint" }, createPluginRegistry()),
      ],
      runDir: dir,
      signal: ctl.signal,
    });
    model.dispose();
    assert.equal(r.interrupted, true);
    const last = `${dir}/checkpoints/last`;
    const m = await readCheckpointManifest(last);
    assert.equal(m.state.step, 2);
    const [dropout] = Object.keys(m.state.dropoutRng);
    assert.ok(dropout, "the tiny model has a seeded dropout layer");

    const good = await Deno.readTextFile(`${last}/state.json`);
    const doc = JSON.parse(good);
    delete doc.state.dropoutRng[dropout];
    await Deno.writeTextFile(`${last}/state.json`, JSON.stringify(doc));
    for (const read of [readCheckpointManifest, loadCheckpoint]) {
      await assert.rejects(() => read(last), (e: Error) => {
        assert.ok(e instanceof CheckpointError, String(e));
        assert.match(
          e.message,
          new RegExp(`state\\.json: state\\.dropoutRng\\.${dropout}: missing`),
        );
        return true;
      });
    }
    doc.state.dropoutRng[dropout] = [1, 2, 3];
    await Deno.writeTextFile(`${last}/state.json`, JSON.stringify(doc));
    await assert.rejects(
      () => readCheckpointManifest(last),
      new RegExp(
        `state\\.dropoutRng\\.${dropout}: Too small: expected array to have exactly 4 items, got \\[1,2,3\\]`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
