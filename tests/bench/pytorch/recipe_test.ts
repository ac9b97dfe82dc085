import assert from "node:assert/strict";
import { loadCifar10 } from "../../../data/mod.ts";
import { REAL_ARCHIVE } from "../../data/_fixtures.ts";
import { ignoreTorch, peerScript, PYTHON } from "./_torch.ts";

const SCRIPT = peerScript("recipe.py");

async function sha256(images: Uint8Array, labels: Uint8Array): Promise<string> {
  const bytes = new Uint8Array(images.length + labels.length);
  bytes.set(images);
  bytes.set(labels, images.length);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "bench/pytorch/recipe.py trains on skiplab's own split and reports both validations",
  ignore: ignoreTorch || REAL_ARCHIVE === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "skiplab-torch-recipe-" });
    try {
      const out = `${dir}/run.json`;
      const args = [SCRIPT, "resnet18_noskip", "--data", REAL_ARCHIVE!, "--limit", "96"];
      args.push("--epochs", "2", "--width", "0.0625", "--reestimate-batches", "1");
      args.push("--threads", "1", "--init", "he", "--out", out);
      const ran = await new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" })
        .output();
      const text = new TextDecoder().decode(ran.stdout);
      assert.ok(ran.success, new TextDecoder().decode(ran.stderr));
      const run = JSON.parse(await Deno.readTextFile(out));

      // The same images, labels and order as skiplab's loadCifar10 with the same limit.
      const cacheDir = `${dir}/cache`;
      const { train, val } = await loadCifar10({ source: REAL_ARCHIVE, cacheDir, limit: 96 });
      assert.deepEqual(run.data, {
        train: 96,
        val: 96,
        train_sha256: await sha256(train.images, train.labels),
        val_sha256: await sha256(val.images, val.labels),
      });
      // Width 0.0625 of resnet18: stages 4, 8, 16, 32 filters; no projections without skips.
      assert.deepEqual(run.widths, [4, 8, 16, 32]);
      assert.equal(run.history.length, 2);
      for (const row of run.history) {
        for (const k of ["loss", "val_loss", "val_loss_precise"]) {
          assert.ok(row[k] > 0 && Number.isFinite(row[k]), `${k}: ${row[k]}`);
        }
        for (const k of ["acc", "val_acc", "val_acc_precise"]) {
          assert.ok(row[k] >= 0 && row[k] <= 1, `${k}: ${row[k]}`);
        }
      }
      // One printed row per epoch, with both validations.
      const printed = text.split("\n").filter((l) => /^\s+\d+\s/.test(l));
      assert.equal(printed.length, 2, text);
      assert.ok(printed[1].includes(run.history[1].val_loss_precise.toFixed(4)), text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
