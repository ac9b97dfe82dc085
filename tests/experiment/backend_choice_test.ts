import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { AUTO_CACHE_FILE } from "../../backends/auto_cache.ts";
import { BACKEND_CANDIDATES } from "../../backends/select.ts";
import { checkpointDir, readCheckpointManifest } from "../../rundir/mod.ts";
import {
  experimentFor,
  experimentSpec,
  experimentToResume,
  runExperiment,
  selectRunBackend,
} from "../../experiment/mod.ts";

/** As with the native library hidden: webgpu (llvmpipe here, or no adapter), wasm and cpu. */
const candidates = BACKEND_CANDIDATES.filter((c) => ["webgpu", "wasm", "cpu"].includes(c.name));

const tiny = (backend: string) =>
  experimentFor("baseline_cnn", {
    backend,
    batch_size: 8,
    model_options: { width: 0.25 },
    data: { source: "synthetic", limit: 32 },
    epochs: 1,
  });

async function choose(backend: string, cacheDir: string) {
  const exp = await tiny(backend);
  const { spec } = await experimentSpec(exp);
  const lines: string[] = [];
  const info = await selectRunBackend(exp, spec, {
    cacheDir,
    candidates,
    log: (l) => lines.push(l),
    budget: { seconds: 30 },
  });
  return { info, log: lines.join("\n") };
}

Deno.test({
  name:
    "selectRunBackend('auto') times each backend, picks the fastest (never a software GPU), then decides from its cache until told to remeasure",
  sanitizeResources: false, // the WebGPU adapter lives for the process
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const first = await choose("auto", dir);
      assert.match(first.log, /timing a few training steps of baseline_cnn at batch 8/);
      const rates = [...first.log.matchAll(/^[* ] (wasm|cpu)\s.*?\s([\d.]+)(?:\s|$)/gm)];
      assert.equal(rates.length, 2, first.log);
      const fastest = rates.sort((a, b) => Number(b[2]) - Number(a[2]))[0][1];
      assert.equal(first.info.name, fastest);
      assert.equal(tf.getBackend(), fastest);
      assert.notEqual(first.info.name, "webgpu");
      assert.match(
        first.log,
        /webgpu.*(software adapter: never chosen by auto|not available here)/,
      );
      assert.match(first.info.reason, new RegExp(`^${fastest}: fastest of 2 backends timed`));

      const second = await choose("auto", dir);
      assert.match(second.log, /as measured .* \(cached; --backend auto:remeasure times again\)/);
      assert.doesNotMatch(second.log, /timing a few training steps/);
      assert.equal(second.info.name, fastest);
      assert.match(second.info.reason, /cached measurement/);

      const again = await choose("auto:remeasure", dir);
      assert.match(again.log, /timing a few training steps/);

      await Deno.writeTextFile(join(dir, AUTO_CACHE_FILE), "{ damaged");
      const damaged = await choose("auto", dir);
      const notes = damaged.log.split("\n").filter((l) => l.includes("ignoring"));
      assert.equal(notes.length, 1);
      assert.match(notes[0], /not JSON.*it will be rewritten/);
      assert.match(damaged.log, /timing a few training steps/);
      assert.match((await choose("auto", dir)).log, /cached/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("selectRunBackend() selects a named backend as asked, with nothing timed or cached", async () => {
  const dir = await Deno.makeTempDir();
  const { info, log } = await choose("cpu", dir);
  assert.equal(info.name, "cpu");
  assert.equal(log, "");
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir);
});

Deno.test({
  name:
    "runExperiment() with backend auto records the backend it measured in its checkpoint, and a resumed run keeps it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir();
    const before = Deno.env.get("SKIPLAB_DATA");
    Deno.env.set("SKIPLAB_DATA", join(root, "cache"));
    try {
      const dir = join(root, "run");
      const exp = await tiny("auto");
      const cut = await runExperiment(exp, {
        dir,
        print: false,
        progress: false,
        signal: AbortSignal.abort(),
      });
      assert.equal(cut.result.stopReason, "interrupted");
      const started = tf.getBackend();
      assert.ok(["native", "tensorflow", "wasm", "cpu"].includes(started));
      // config.yaml keeps what was asked for (a sweep compares it with its plan); the
      // checkpoint records the backend measured.
      const { experiment } = await experimentToResume(dir, {});
      assert.equal(experiment.backend, "auto");
      const { state } = await readCheckpointManifest(checkpointDir(dir, "last"));
      assert.equal(state.backend, started);
      // Resumed with no cached measurement and another backend current, it trains on its own.
      await Deno.remove(join(root, "cache"), { recursive: true }).catch(() => {});
      await tf.setBackend(started === "cpu" ? "wasm" : "cpu");
      await runExperiment(experiment, { resumeDir: dir, print: false, progress: false });
      assert.equal(tf.getBackend(), started);
    } finally {
      if (before === undefined) Deno.env.delete("SKIPLAB_DATA");
      else Deno.env.set("SKIPLAB_DATA", before);
      await Deno.remove(root, { recursive: true });
    }
  },
});
