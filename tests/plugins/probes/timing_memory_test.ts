import assert from "node:assert/strict";
import { selectBackend } from "../../../backends/mod.ts";
import { timingMemory } from "../../../plugins/probes/timing_memory.ts";
import { train } from "../../../train/mod.ts";
import { TINY_DATA, tinyModel } from "../../train/_tiny.ts";

await selectBackend("cpu");

Deno.test("timingMemory observes step ends of a real run and records one timing row per epoch", async () => {
  const plugin = timingMemory.create(timingMemory.schema.parse({}));
  assert.equal(plugin.transformBatch, undefined, "it leaves batches alone");
  const model = tinyModel();
  const result = await train({
    model,
    ...TINY_DATA,
    epochs: 2,
    batchSize: 32,
    optimizer: { type: "adam", lr: 1e-3 },
    plugins: [plugin],
  });
  model.dispose();
  const rows = result.tables.timing;
  assert.deepEqual(rows.map((r) => [r.epoch, r.images]), [[0, 96], [1, 96]]);
  for (const [i, r] of rows.entries()) {
    for (const key of ["seconds", "images_per_sec", "num_tensors", "num_bytes", "rss_bytes"]) {
      assert.ok(Number.isFinite(r[key]) && (r[key] as number) > 0, `${key} = ${r[key]}`);
    }
    // From the first step's start to the end of validation: at least the training steps' time.
    assert.ok((r.seconds as number) >= result.history[i].seconds * 0.99);
    assert.ok((r.peak_num_bytes as number) >= (r.num_bytes as number));
    assert.ok((r.peak_rss_bytes as number) >= (r.rss_bytes as number));
    // Tests run with --allow-ffi: the process peak is the kernel's high-water mark.
    const peak = r.process_peak_rss_bytes as number;
    assert.ok(Number.isFinite(peak) && peak >= (r.rss_bytes as number), `${peak} < ${r.rss_bytes}`);
    assert.ok(peak >= (r.peak_rss_bytes as number));
    const increase = r.process_peak_increase_bytes as number;
    assert.ok(increase >= 0 && increase <= peak, `increase ${increase}`);
  }
  // A peak never falls within a run.
  for (const key of ["process_peak_rss_bytes", "process_peak_increase_bytes", "peak_rss_bytes"]) {
    const values = rows.map((r) => r[key] as number);
    assert.ok(values.every((v, i) => i === 0 || v >= values[i - 1]), `${key}: ${values}`);
  }
});

Deno.test("timingMemory leaves the process peak empty and says why without --allow-ffi or --allow-all", async () => {
  const script = new URL("../../../plugins/probes/_process_peak.ts", import.meta.url).href;
  const code = `import { openProcessPeak } from "${script}";
const p = openProcessPeak(); console.log(JSON.stringify({ s: p.source, n: p.note, v: p.read() }));`;
  const dir = await Deno.makeTempDir();
  const file = `${dir}/peak.ts`;
  await Deno.writeTextFile(file, code);
  // `deno run` with no permission flags: neither FFI nor /proc.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-prompt", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const got = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(got.s, "none");
  assert.equal(got.v, null);
  assert.match(got.n, /no --allow-ffi/);
  assert.match(got.n, /status is not readable/);
});

Deno.test("timingMemory keeps its peaks across a resume", async () => {
  const first = timingMemory.create({});
  const state = { peak_bytes: 1e15, peak_rss: 2e15 };
  first.setState!(state);
  assert.deepEqual(await first.getState!(), state);
  assert.throws(() => first.setState!({ peak_bytes: -1, peak_rss: 0 }), TypeError);
});
