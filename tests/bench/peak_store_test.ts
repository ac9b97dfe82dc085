import assert from "node:assert/strict";
import { join } from "node:path";
import {
  findPeak,
  opKey,
  PEAK_STORE_BYTES,
  PEAK_STORE_FILE,
  type PeakEntry,
  peakMachine,
  readPeakStore,
  writePeakStore,
} from "../../bench/peak_store.ts";

const conv = {
  kind: "conv",
  shape: {
    batch: 64,
    height: 32,
    width: 32,
    inChannels: 64,
    outChannels: 128,
    kernel: [3, 3],
    strides: [2, 2],
    pads: [0, 1, 0, 1],
    bias: false,
  },
} as const;

async function entry(over: Partial<PeakEntry> = {}): Promise<PeakEntry> {
  return {
    machine: await peakMachine("2.6.3", "avx512_core_bf16"),
    threads: 2,
    precision: "fp32",
    op: opKey(conv),
    pass: "backwardWeights",
    onednn: "2.6.3",
    gflops: 190.5,
    ms: 12.25,
    runs: 12,
    impl: "jit:avx512_core",
    measured: new Date().toISOString(),
    ...over,
  };
}

Deno.test("opKey() names a convolution's shape, pads and bias, and a matrix product's transposes", () => {
  assert.equal(opKey(conv), "conv 64x32x32x64 k3x3 s2x2 p0,1,0,1 o128");
  assert.equal(
    opKey({ kind: "conv", shape: { ...conv.shape, bias: true } }),
    "conv 64x32x32x64 k3x3 s2x2 p0,1,0,1 o128 +bias",
  );
  assert.equal(
    opKey({ kind: "gemm", shape: { m: 2048, n: 2048, k: 2048, transA: false, transB: true } }),
    "gemm 2048x2048x2048 NT",
  );
});

Deno.test("peakMachine() differs between oneDNN versions and instruction sets", async () => {
  const a = await peakMachine("2.6.3", "avx512_core_bf16");
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, await peakMachine("2.6.3", "avx512_core_bf16"));
  assert.notEqual(a, await peakMachine("3.7.1", "avx512_core_bf16"));
  assert.notEqual(a, await peakMachine("2.6.3", "avx2"));
});

Deno.test("writePeakStore() and readPeakStore() round-trip rates, one per key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const notes: string[] = [];
    assert.deepEqual(await readPeakStore(dir, (l) => notes.push(l)), []);
    const fp32 = await entry(), bf16 = await entry({ precision: "bf16", gflops: 300 });
    await writePeakStore(dir, [fp32, bf16], (l) => notes.push(l));
    const newer = await entry({ gflops: 201 });
    await writePeakStore(dir, [newer], (l) => notes.push(l));
    const read = await readPeakStore(dir, (l) => notes.push(l));
    assert.deepEqual(read, [bf16, newer]);
    assert.equal(findPeak(read, fp32)?.gflops, 201);
    assert.equal(findPeak(read, { ...fp32, threads: 1 }), undefined);
    assert.equal(findPeak(read, { ...fp32, pass: "forward" }), undefined);
    assert.deepEqual(notes, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPeakStore() ignores a damaged or oversized store with one line naming the file, and a write repairs it", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, PEAK_STORE_FILE);
  try {
    const good = await entry();
    const damaged = [
      ["{ not json", /not JSON/],
      [JSON.stringify({ format: 1, entries: [{ ...good, gflops: -1 }] }), /entries\.0\.gflops:/],
      [JSON.stringify({ format: 1, entries: [{ ...good, extra: 1 }] }), /entries\.0:/],
      [JSON.stringify({ format: 2, entries: [] }), /format:/],
      [" ".repeat(PEAK_STORE_BYTES + 1), /bounded at 4 MiB/],
    ] as const;
    for (const [text, why] of damaged) {
      await Deno.writeTextFile(path, text);
      const notes: string[] = [];
      assert.deepEqual(await readPeakStore(dir, (l) => notes.push(l)), []);
      assert.equal(notes.length, 1, text.slice(0, 20));
      assert.ok(notes[0].includes(path) && !notes[0].includes("\n"), notes[0]);
      assert.match(notes[0], why);
    }
    await writePeakStore(dir, [good]);
    assert.deepEqual(await readPeakStore(dir), [good]);
    // Not a regular file: refused before it is read.
    await Deno.remove(path);
    await Deno.mkdir(path);
    const notes: string[] = [];
    assert.deepEqual(await readPeakStore(dir, (l) => notes.push(l)), []);
    assert.match(notes[0], /it is a folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
