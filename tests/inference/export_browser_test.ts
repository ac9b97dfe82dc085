/**
 * An export loads in a real headless Chromium with stock tfjs (served from
 * node_modules over loopback, no CDN), which — given only the export's files
 * and the normalisation skiplab.json states — classifies test images as Deno
 * does.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ignoreBrowser, withPage } from "../_browser.ts";
import { selectBackend } from "../../backends/mod.ts";
import { syntheticDataset } from "../../data/mod.ts";
import { exportModel, predict } from "../../inference/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";

const TFJS = fileURLToPath(import.meta.resolve("@tensorflow/tfjs")).replace(
  /dist\/.*$/,
  "dist/tf.min.js",
);

const PAGE = `<!doctype html><script src="/tf.min.js"></script><script>
window.classify = async (images) => {
  await tf.setBackend("cpu");
  const model = await tf.loadLayersModel("/model/model.json");
  const meta = await (await fetch("/model/skiplab.json")).json();
  const [h, w, c] = meta.input.shape, { mean, std } = meta.input.normalization;
  const xs = tf.tensor4d(images.flat().map((x) => (x / 255 - mean) / std), [images.length, h, w, c]);
  const probs = await model.predict(xs).array();
  return { probs, names: meta.class_names };
};
</script>`;

Deno.test({
  name: "exportModel() output loads in Chromium with stock tfjs and predicts as Deno does",
  ignore: ignoreBrowser,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await selectBackend("cpu");
    const dir = await Deno.makeTempDir();
    // Batch norm, a projection shortcut and skiplab's seeded dropout, the layer written as stock Dropout.
    const model = buildModel(
      resnetSpec({ name: "web", layers: [1, 1], width: 4, dropout: 0.3 }),
      { seed: 11 },
    );
    const { test } = syntheticDataset({ seed: 2, train: 0, val: 0, test: 8 });
    const names = [...test.classNames];
    await exportModel(model, dir, { classNames: names });
    const topology = await Deno.readTextFile(`${dir}/model.json`);
    assert.ok(topology.includes('"class_name":"Dropout"') && !topology.includes("Skiplab"));
    const images = Array.from({ length: test.count }, (_, i) => ({
      width: 32,
      height: 32,
      data: test.images.slice(i * 3072, (i + 1) * 3072),
    }));
    const deno = await predict(model, images, { classNames: names, top: 1 });
    model.dispose();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      const file = path === "/tf.min.js"
        ? TFJS
        : path.startsWith("/model/") && /^[\w.-]+$/.test(path.slice(7))
        ? `${dir}/${path.slice(7)}`
        : undefined;
      if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
      if (file === undefined) return new Response("not found", { status: 404 });
      return new Response(await Deno.readFile(file));
    });
    try {
      const url = `http://127.0.0.1:${server.addr.port}/`;
      const browser = await withPage(async (page) => {
        await page.goto(url);
        return await page.evaluate(
          (imgs) =>
            (globalThis as unknown as {
              classify(x: number[][]): Promise<{ probs: number[][]; names: string[] }>;
            }).classify(imgs),
          images.map((i) => [...i.data]),
        );
      });
      assert.deepEqual(browser.names, names);
      const top1 = browser.probs.map((p) => p.indexOf(Math.max(...p)));
      assert.deepEqual(top1, deno.map((p) => p.top[0].index));
      const diff = Math.max(
        ...browser.probs.flatMap((p, i) => p.map((v, j) => Math.abs(v - deno[i].probabilities[j]))),
      );
      assert.ok(diff < 1e-5, `browser and Deno probabilities differ by ${diff}`);
      // Several classes, so equal top-1 lists are not one repeated answer.
      assert.ok(new Set(top1).size >= 2, `top-1 ${top1}: one class only`);
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
