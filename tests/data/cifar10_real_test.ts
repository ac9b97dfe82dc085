import assert from "node:assert/strict";
import { loadCifar10 } from "../../data/mod.ts";
import { REAL_ARCHIVE } from "./_fixtures.ts";

Deno.test({
  name: "loadCifar10() reads the real archive: counts, class balance and channel statistics",
  ignore: REAL_ARCHIVE === undefined,
  async fn() {
    const cacheDir = await Deno.makeTempDir({ prefix: "skiplab-real-test-" });
    try {
      const { train, test } = await loadCifar10({ source: REAL_ARCHIVE, cacheDir, valSize: 0 });
      assert.equal(train.count, 50_000);
      assert.equal(test.count, 10_000);
      assert.deepEqual(train.classNames.slice(0, 3), ["airplane", "automobile", "bird"]);
      for (const [set, per] of [[train, 5_000], [test, 1_000]] as const) {
        const counts = new Array(10).fill(0);
        for (const l of set.labels) counts[l]++;
        assert.deepEqual(counts, new Array(10).fill(per));
      }
      const sum = [0, 0, 0], sq = [0, 0, 0];
      // Sum per channel in row chunks to keep the integer sums exact.
      for (let row = 0; row < train.count; row++) {
        const s = [0, 0, 0], q = [0, 0, 0];
        for (let i = row * 3072; i < (row + 1) * 3072; i += 3) {
          for (let c = 0; c < 3; c++) {
            const v = train.images[i + c];
            s[c] += v;
            q[c] += v * v;
          }
        }
        for (let c = 0; c < 3; c++) (sum[c] += s[c], sq[c] += q[c]);
      }
      const n = train.count * 1024;
      const mean = sum.map((s) => s / n / 255);
      const std = sq.map((q, c) => Math.sqrt(q / n / 255 ** 2 - mean[c] ** 2));
      [0.491, 0.482, 0.447].forEach((m, c) =>
        assert.ok(Math.abs(mean[c] - m) < 0.01, `mean ${mean}`)
      );
      [0.247, 0.243, 0.261].forEach((s, c) => assert.ok(Math.abs(std[c] - s) < 0.01, `std ${std}`));
    } finally {
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});
