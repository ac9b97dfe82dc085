import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AUTO_CACHE_ENTRIES,
  AUTO_CACHE_FILE,
  autoCacheKey,
  type AutoCacheSubject,
  readCachedDecision,
  writeCachedDecision,
} from "../../backends/auto_cache.ts";
import type { AutoDecision } from "../../backends/auto.ts";

const subject: AutoCacheSubject = {
  cpu: { model: "AMD EPYC", threads: 2, isa: "avx2 fma" },
  backends: [
    { name: "native", available: true, version: "oneDNN 2.6.3", device: "cpu", software: false },
    { name: "webgpu", available: true, version: "w", device: "llvmpipe", software: true },
  ],
  model: { name: "baseline_cnn", width: 0.25 },
  batch: 64,
  precision: "fp32",
};

const decision: AutoDecision = {
  choice: "native",
  rows: [
    { backend: "native", version: "oneDNN 2.6.3", device: "cpu", rate: 440 },
    { backend: "webgpu", version: "w", device: "llvmpipe", rate: null, note: "software" },
  ],
};

Deno.test("autoCacheKey() changes with the CPU, a backend's version or adapter, the model, batch and precision", async () => {
  const base = await autoCacheKey(subject);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(await autoCacheKey({ ...subject }), base);
  const [native, webgpu] = subject.backends;
  const changed = [
    { ...subject, cpu: { ...subject.cpu, model: "Intel Xeon" } },
    { ...subject, backends: [{ ...native, version: "oneDNN 3.7.1" }, webgpu] },
    { ...subject, backends: [native, { ...webgpu, device: "NVIDIA RTX 4090", software: false }] },
    { ...subject, backends: [{ ...native, available: false }, webgpu] },
    { ...subject, model: { name: "baseline_cnn", width: 0.5 } },
    { ...subject, batch: 128 },
    { ...subject, precision: "bf16" },
  ];
  const keys = await Promise.all(changed.map(autoCacheKey));
  assert.equal(new Set([base, ...keys]).size, changed.length + 1);
  // Why a backend is missing is not what its speed depends on.
  const reworded = [{ ...native, available: false, why: "a" }, webgpu];
  const reworded2 = [{ ...native, available: false, why: "b", hint: "c" }, webgpu];
  assert.equal(
    await autoCacheKey({ ...subject, backends: reworded }),
    await autoCacheKey({ ...subject, backends: reworded2 }),
  );
});

Deno.test("readCachedDecision() misses, then hits what writeCachedDecision() filed, under its own key only", async () => {
  const dir = join(await Deno.makeTempDir(), "made-on-write");
  const notes: string[] = [];
  const key = await autoCacheKey(subject);
  assert.equal(await readCachedDecision(dir, key, (l) => notes.push(l)), undefined);
  await writeCachedDecision(dir, key, decision, (l) => notes.push(l));
  const hit = await readCachedDecision(dir, key, (l) => notes.push(l));
  assert.equal(hit?.choice, "native");
  assert.deepEqual(hit?.rows, decision.rows);
  assert.ok(!Number.isNaN(Date.parse(hit!.measured)));
  const other = await autoCacheKey({ ...subject, batch: 32 });
  assert.equal(await readCachedDecision(dir, other), undefined);
  assert.deepEqual(notes, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readCachedDecision() ignores a damaged cache with one line naming the file, and the next write repairs it", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, AUTO_CACHE_FILE);
  const key = await autoCacheKey(subject);
  const damaged = [
    ["{ not json", /not JSON/],
    [JSON.stringify({ format: 1, entries: [{ key, choice: "native" }] }), /entries\.0\.\w+:/],
    [JSON.stringify({ format: 9, entries: [] }), /format:/],
    ["x".repeat(2 ** 20 + 1), /bytes, more than a cache/],
  ] as const;
  for (const [text, why] of damaged) {
    await Deno.writeTextFile(path, text);
    const notes: string[] = [];
    assert.equal(await readCachedDecision(dir, key, (l) => notes.push(l)), undefined);
    assert.equal(notes.length, 1, text.slice(0, 20));
    assert.ok(notes[0].includes(path) && !notes[0].includes("\n"));
    assert.match(notes[0], why);
  }
  await writeCachedDecision(dir, key, decision);
  assert.equal((await readCachedDecision(dir, key))?.choice, "native");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeCachedDecision() keeps the newest entries only, one per key", async () => {
  const dir = await Deno.makeTempDir();
  for (let batch = 1; batch <= AUTO_CACHE_ENTRIES + 3; batch++) {
    await writeCachedDecision(dir, await autoCacheKey({ ...subject, batch }), decision);
  }
  const last = await autoCacheKey({ ...subject, batch: AUTO_CACHE_ENTRIES + 3 });
  await writeCachedDecision(dir, last, { ...decision, choice: "webgpu" });
  const file = JSON.parse(await Deno.readTextFile(join(dir, AUTO_CACHE_FILE)));
  assert.equal(file.entries.length, AUTO_CACHE_ENTRIES);
  assert.equal(
    await readCachedDecision(dir, await autoCacheKey({ ...subject, batch: 1 })),
    undefined,
  );
  // A choice with no measured row is not a choice: ignored, with a note.
  const notes: string[] = [];
  assert.equal(await readCachedDecision(dir, last, (l) => notes.push(l)), undefined);
  assert.match(notes[0], /'webgpu': it has no measured row/);
  await Deno.remove(dir, { recursive: true });
});
