import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bytesToBase64,
  readPredictions,
  readSummary,
  readWrongImages,
  RUN_FILES,
  writePredictions,
  writeWrongImages,
} from "../../rundir/mod.ts";
import { mostConfidentlyWrong } from "../../train/observers/mod.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/run_resnet18/", import.meta.url));

Deno.test("a fixture run's predictions agree with its test accuracy and its wrong images", async () => {
  const p = await readPredictions(join(FIXTURE, RUN_FILES.predictions));
  const s = await readSummary(join(FIXTURE, RUN_FILES.summary));
  const right = Array.from(p.labels).filter((l, i) => l === p.predicted[i]).length;
  assert.equal(right / p.labels.length, s.test_acc);
  const wrong = await readWrongImages(join(FIXTURE, RUN_FILES.wrongImages));
  assert.deepEqual(wrong.class_names, s.class_names);
  assert.ok(wrong.images.length > 0);
  for (const im of wrong.images) {
    assert.notEqual(im.label, im.predicted);
    assert.equal(im.label, p.labels[im.index]);
    assert.ok(Math.abs(im.confidence - p.confidence[im.index]) < 1e-5);
  }
  const conf = wrong.images.map((im) => im.confidence);
  assert.deepEqual(conf, [...conf].sort((a, b) => b - a));
});

Deno.test("mostConfidentlyWrong() picks the wrong predictions, most confident first", () => {
  const labels = [0, 1, 2, 0, 1], predicted = [0, 2, 1, 1, 1];
  assert.deepEqual(mostConfidentlyWrong(labels, predicted, [0.9, 0.5, 0.7, 0.6, 0.99], 2), [2, 3]);
});

Deno.test("predictions and wrong images round-trip; bad pixels are refused naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const p = { labels: [1, 0], predicted: [0, 0], confidence: [0.75, 0.5] };
    await writePredictions(dir, p);
    const back = await readPredictions(join(dir, RUN_FILES.predictions));
    assert.deepEqual(Array.from(back.confidence), [0.75, 0.5]);
    const pixels = bytesToBase64(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const image = { index: 0, label: 1, predicted: 0, confidence: 0.75, pixels };
    await writeWrongImages(dir, { shape: [2, 2, 3], class_names: ["a", "b"], images: [image] });
    const wrong = await readWrongImages(join(dir, RUN_FILES.wrongImages));
    assert.equal(atob(wrong.images[0].pixels).charCodeAt(11), 12);
    await writeWrongImages(dir, { shape: [4, 4, 3], class_names: ["a", "b"], images: [image] });
    await assert.rejects(
      readWrongImages(join(dir, RUN_FILES.wrongImages)),
      /wrong_images\.json': image 0 must hold 4x4x3 bytes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
