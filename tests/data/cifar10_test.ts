import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  DataIntegrityError,
  loadCifar10,
  syntheticDataset,
  writeCifarBinary,
} from "../../data/mod.ts";
import { type Entry, folderEntries, listTree, tarGz } from "./_fixtures.ts";

const small = () => syntheticDataset({ seed: 5, train: 40, val: 10, test: 20 });

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiplab-cifar-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `entries` as `name`.tar.gz in `dir` and returns its path and md5. */
async function archive(dir: string, entries: Entry[], name = "a"): Promise<[string, string]> {
  const bytes = await tarGz(entries);
  const path = join(dir, `${name}.tar.gz`);
  await Deno.writeFile(path, bytes);
  return [path, createHash("md5").update(bytes).digest("hex")];
}

Deno.test("loadCifar10() returns exactly what writeCifarBinary() wrote", async () => {
  await withTemp(async (dir) => {
    const data = small();
    await writeCifarBinary(data, dir);
    const back = await loadCifar10({ source: dir, valSize: 10 });
    for (const split of ["train", "val", "test"] as const) {
      assert.equal(back[split].count, data[split].count);
      assert.deepEqual(back[split].shape, [32, 32, 3]);
      assert.deepEqual(back[split].labels, data[split].labels);
      assert.deepEqual(back[split].images, data[split].images);
      assert.deepEqual(back[split].classNames, data[split].classNames);
    }
  });
});

Deno.test("loadCifar10() splits validation by class when stratified, and limits splits", async () => {
  await withTemp(async (dir) => {
    await writeCifarBinary(small(), dir);
    const { train, val } = await loadCifar10({ source: dir, valSize: 20, stratified: true });
    const perClass = (labels: Uint8Array) =>
      Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    assert.deepEqual(perClass(val.labels), new Array(10).fill(2));
    assert.deepEqual(perClass(train.labels), new Array(10).fill(3));
    const limited = await loadCifar10({ source: dir, valSize: 10, limit: { train: 7, test: 3 } });
    assert.deepEqual([limited.train.count, limited.val.count, limited.test.count], [7, 10, 3]);
    assert.equal(limited.train.images.length, 7 * 3072);
    const all = await loadCifar10({ source: dir, valSize: 10, limit: 4 });
    assert.deepEqual([all.train.count, all.val.count, all.test.count], [4, 4, 4]);
    await assert.rejects(loadCifar10({ source: dir, valSize: 51 }), RangeError);
  });
});

Deno.test("loadCifar10() extracts a local .tar.gz into the cache under its md5 and reuses it", async () => {
  await withTemp(async (dir) => {
    const data = small();
    await writeCifarBinary(data, join(dir, "bin"));
    const [path, md5] = await archive(dir, await folderEntries(join(dir, "bin")));
    const cacheDir = join(dir, "cache");
    const phases = new Set<string>();
    const first = await loadCifar10({
      source: path,
      cacheDir,
      valSize: 10,
      onProgress: (p) => phases.add(p.phase),
    });
    assert.deepEqual(first.test.images, data.test.images);
    assert.deepEqual([...phases].sort(), ["extract", "verify"]);
    assert.deepEqual((await listTree(cacheDir)).filter((f) => !f.includes("/")), [
      `cifar-10-${md5}`,
    ]);
    // A second call finds the extracted copy: it works even with the bin folder gone.
    await Deno.remove(join(dir, "bin"), { recursive: true });
    const again = await loadCifar10({ source: path, cacheDir, valSize: 10, checksum: md5 });
    assert.deepEqual(again.train.images, data.train.images);
  });
});

/** Each bad archive must fail naming the archive or file and the rule, leave the cache empty, and pass once fixed. */
async function rejectsThenRecovers(
  build: (bin: string) => Promise<Entry[]>,
  pattern: RegExp,
  extra: { checksum?: (md5: string) => string; mangle?: (bytes: Uint8Array) => void } = {},
): Promise<void> {
  await withTemp(async (dir) => {
    const bin = join(dir, "bin");
    await writeCifarBinary(small(), bin);
    const cacheDir = join(dir, "cache");
    let [path, md5] = await archive(dir, await build(bin));
    if (extra.mangle) {
      const bytes = await Deno.readFile(path);
      extra.mangle(bytes);
      await Deno.writeFile(path, bytes);
    }
    const checksum = extra.checksum?.(md5);
    await assert.rejects(
      loadCifar10({ source: path, cacheDir, valSize: 10, checksum }),
      (e: Error) => {
        assert.match(e.message, pattern);
        return true;
      },
    );
    assert.deepEqual(await listTree(cacheDir), []);
    [path, md5] = await archive(dir, await folderEntries(bin));
    const ok = await loadCifar10({
      source: path,
      cacheDir,
      valSize: 10,
      checksum: extra.checksum && md5,
    });
    assert.equal(ok.train.count, 40);
  });
}

const withFile = async (bin: string, file: string, edit: (b: Uint8Array) => Uint8Array) =>
  (await folderEntries(bin)).map((e) => e.name.endsWith(file) ? { ...e, data: edit(e.data!) } : e);

Deno.test("loadCifar10() rejects a truncated batch file", () =>
  rejectsThenRecovers(
    (bin) => withFile(bin, "data_batch_2.bin", (b) => b.subarray(0, b.length - 100)),
    /data_batch_2\.bin: size must be a whole number of 3073-byte records/,
  ));

Deno.test("loadCifar10() rejects an oversized batch file", () =>
  rejectsThenRecovers(
    (bin) => withFile(bin, "test_batch.bin", () => new Uint8Array(10_001 * 3073)),
    /test_batch\.bin: size must be at most 10000 records/,
  ));

Deno.test("loadCifar10() rejects a label out of range", () =>
  rejectsThenRecovers(
    (bin) => withFile(bin, "data_batch_3.bin", (b) => (b = b.slice(), b[3073] = 10, b)),
    /data_batch_3\.bin: record 1 must have a label in \[0, 9\], got 10/,
  ));

Deno.test("loadCifar10() rejects an archive missing a batch file", () =>
  rejectsThenRecovers(
    async (bin) => (await folderEntries(bin)).filter((e) => !e.name.endsWith("data_batch_4.bin")),
    /data_batch_4\.bin: missing/,
  ));

Deno.test("loadCifar10() rejects a checksum mismatch", () =>
  rejectsThenRecovers(folderEntries, /a\.tar\.gz: md5 must be 0{32}, got [0-9a-f]{32}/, {
    checksum: () => "0".repeat(32),
  }));

Deno.test("loadCifar10() rejects a corrupt gzip stream", () =>
  rejectsThenRecovers(folderEntries, /a\.tar\.gz: gzip stream must be valid/, {
    mangle: (b) => void (b[b.length - 6] ^= 0x55), // in the CRC-32 trailer
  }));

for (
  const [what, entry, rule] of [
    [
      "a path with ..",
      { name: "cifar-10-batches-bin/../../evil.bin", data: new Uint8Array(3) },
      /'cifar-10-batches-bin\/\.\.\/\.\.\/evil\.bin' must stay inside/,
    ],
    [
      "an absolute path",
      { name: "/tmp/evil.bin", data: new Uint8Array(3) },
      /'\/tmp\/evil\.bin' must stay inside/,
    ],
    [
      "a symbolic link",
      { name: "cifar-10-batches-bin/link", type: "2", linkName: "/etc/passwd" },
      /'cifar-10-batches-bin\/link' is a symbolic link/,
    ],
    [
      "a hard link",
      { name: "cifar-10-batches-bin/hard", type: "1", linkName: "x" },
      /.cifar-10-batches-bin\/hard. is a hard link/,
    ],
    [
      "a device",
      { name: "cifar-10-batches-bin/dev", type: "3" },
      /.cifar-10-batches-bin\/dev. is a character device/,
    ],
  ] as const
) {
  Deno.test(`loadCifar10() rejects a tar entry that is ${what}`, () =>
    rejectsThenRecovers(
      async (bin) => [entry as Entry, ...await folderEntries(bin)],
      new RegExp(`a\\.tar\\.gz: tar entry ${rule.source}`),
    ));
}

Deno.test("loadCifar10() rejects bad options naming them", async () => {
  await assert.rejects(
    loadCifar10({ source: "https://mirror.invalid/c.tar.gz" }),
    /'checksum': required for a URL/,
  );
  await assert.rejects(
    loadCifar10({ source: "x", checksum: "abc" }),
    /'checksum': must be 32 hex digits/,
  );
  await assert.rejects(
    loadCifar10({ source: "/nonexistent/skiplab.tar.gz" }),
    /nonexistent\/skiplab\.tar\.gz: missing/,
  );
});

Deno.test("DataIntegrityError carries the file", async () => {
  await withTemp(async (dir) => {
    const [path] = await archive(dir, [{ name: "../x", data: new Uint8Array(1) }]);
    const e = await loadCifar10({ source: path, cacheDir: join(dir, "c") }).catch((e) => e);
    assert.ok(e instanceof DataIntegrityError);
    assert.equal(e.file, path);
  });
});
