import assert from "node:assert/strict";
import { DataIntegrityError, loadCifar10, type Progress } from "../../data/mod.ts";
import { listTree, REAL_ARCHIVE, REAL_ARCHIVE_MD5 } from "./_fixtures.ts";

/** Streams the archive, optionally flipping one byte or stopping half way while promising all. */
function serveArchive(path: string): Deno.HttpServer<Deno.NetAddr> {
  const size = Deno.statSync(path).size;
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const route = new URL(req.url).pathname;
    if (route === "/missing.tar.gz") return new Response("not here", { status: 404 });
    const file = await Deno.open(path);
    let sent = 0;
    const body = file.readable.pipeThrough(
      new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform(chunk, controller) {
          if (route === "/corrupt.tar.gz" && sent <= size / 2 && sent + chunk.length > size / 2) {
            chunk = chunk.slice();
            chunk[Math.floor(size / 2) - sent] ^= 0x01;
          }
          if (route === "/truncated.tar.gz" && sent + chunk.length > size / 2) {
            controller.terminate();
            return;
          }
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { headers: { "content-length": String(size) } });
  });
}

Deno.test({
  name: "loadCifar10() downloads, verifies, caches and then reuses the archive offline",
  ignore: REAL_ARCHIVE === undefined,
  async fn() {
    const server = serveArchive(REAL_ARCHIVE!);
    const url = (name: string) => `http://127.0.0.1:${server.addr.port}/${name}`;
    const cacheDir = await Deno.makeTempDir({ prefix: "skiplab-download-test-" });
    try {
      const fails = async (name: string, rule: RegExp) => {
        const e = await loadCifar10({ source: url(name), cacheDir, checksum: REAL_ARCHIVE_MD5 })
          .catch((e) => e);
        assert.ok(e instanceof DataIntegrityError, String(e));
        assert.equal(e.file, url(name));
        assert.match(e.message, rule);
        assert.deepEqual(await listTree(cacheDir), [], "nothing partial is left in the cache");
      };
      await fails("missing.tar.gz", /must answer HTTP 200, got 404/);
      await fails("truncated.tar.gz", /download (dropped after|must deliver Content-Length)/);
      await fails(
        "corrupt.tar.gz",
        new RegExp(`md5 must be ${REAL_ARCHIVE_MD5}, got [0-9a-f]{32}`),
      );

      const seen: Progress[] = [];
      const splits = await loadCifar10({
        source: url("cifar-10-binary.tar.gz"),
        cacheDir,
        checksum: REAL_ARCHIVE_MD5,
        onProgress: (p) => seen.push(p),
      });
      assert.deepEqual([splits.train.count, splits.val.count, splits.test.count], [
        45_000,
        5_000,
        10_000,
      ]);
      const download = seen.filter((p) => p.phase === "download");
      const size = (await Deno.stat(REAL_ARCHIVE!)).size;
      assert.equal(download.at(-1)?.bytes, size);
      assert.equal(download.at(-1)?.total, size);
      assert.ok(download.at(-1)?.done);
      assert.ok(seen.some((p) => p.phase === "extract" && p.done));
      assert.deepEqual(
        (await listTree(cacheDir)).filter((f) => !f.includes("/")),
        [`cifar-10-${REAL_ARCHIVE_MD5}`],
      );

      await server.shutdown();
      const offline = await loadCifar10({
        source: url("cifar-10-binary.tar.gz"),
        cacheDir,
        checksum: REAL_ARCHIVE_MD5,
        valSize: 0,
      });
      assert.equal(offline.train.count, 50_000);
      assert.deepEqual(
        offline.train.images.subarray(0, 3072),
        splits.train.images.subarray(0, 3072),
      );
    } finally {
      await server.shutdown().catch(() => {});
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});

Deno.test("loadCifar10() names the URL when the server cannot be reached", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const source = `http://127.0.0.1:${port}/c.tar.gz`;
    const e = await loadCifar10({ source, cacheDir, checksum: "0".repeat(32) }).catch((e) => e);
    assert.ok(e instanceof DataIntegrityError);
    assert.match(e.message, new RegExp(`^${source}: download must connect`));
    assert.deepEqual(await listTree(cacheDir), []);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
