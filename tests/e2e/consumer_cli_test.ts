/**
 * The CLI as a consumer runs it, from a folder that is not the repository:
 * the package entry (`./cli`, tasks/main.ts) trains a tiny model on synthetic
 * data under the working folder, evaluates it, classifies PNG and JPEG files
 * (and reports broken ones by name while classifying the rest), and exports it.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { selectBackend } from "../../backends/mod.ts";
import { loadRun, predict } from "../../inference/mod.ts";
import { readEvaluation, readSummary } from "../../rundir/mod.ts";
import { evaluate } from "../../train/evaluate.ts";
import { loadModelFolder } from "../../train/checkpoint.ts";
import { loadExperiment } from "../../experiment/load.ts";
import { loadData } from "../../experiment/run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function cli(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--config=${ROOT}deno.json`, `${ROOT}tasks/main.ts`, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const STACK = /^\s+at /m;

Deno.test({
  name:
    "the ./cli entry trains, evaluates, predicts and exports from a folder outside the repository",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "skiplab-consumer-" });
    assert.ok(!cwd.startsWith(ROOT));
    try {
      const train = await cli(
        cwd,
        ...["train", "baseline_cnn", "--data", "synthetic", "--limit", "100"],
        ...["--epochs", "2", "--width", "0.25", "--backend", "cpu"],
      );
      assert.equal(train.code, 0, train.stderr);
      const runs = [...Deno.readDirSync(`${cwd}/runs`)].map((e) => e.name);
      assert.equal(runs.length, 1, `one run under the working folder: ${runs}`);
      const run = `runs/${runs[0]}`, abs = `${cwd}/${run}`;
      const summary = await readSummary(`${abs}/summary.json`);
      const confusionBefore = await Deno.readTextFile(`${abs}/confusion.csv`);

      // evaluate: the best checkpoint on the run's own test split is what the run reported.
      const ev = await cli(cwd, "evaluate", run, "--json");
      assert.equal(ev.code, 0, ev.stderr);
      const record = JSON.parse(ev.stdout);
      assert.equal(record.acc, summary.test_acc);
      assert.ok(Math.abs(record.loss - summary.test_loss) < 1e-6);
      assert.deepEqual(await readEvaluation(`${abs}/evaluations/best-synthetic`), record);
      for (const f of ["confusion.csv", "classes.csv"]) {
        await Deno.stat(`${abs}/evaluations/best-synthetic/${f}`);
      }
      assert.equal(await Deno.readTextFile(`${abs}/confusion.csv`), confusionBefore);
      const text = await cli(cwd, "evaluate", run, "--checkpoint", "last");
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /confusion matrix[\s\S]*classification report[\s\S]*macro avg/);

      // predict: lossless PNGs of test images get the class evaluation gives them.
      await selectBackend("cpu");
      const exp = await loadExperiment(`${abs}/config.yaml`);
      const { test } = await loadData(exp, () => {});
      const loaded = await loadRun(abs);
      const expected = (await evaluate(loaded.model, test)).predicted;
      const image = (i: number) => test.images.slice(i * 3072, (i + 1) * 3072);
      await Deno.writeFile(
        `${cwd}/a.png`,
        encodePng({ width: 32, height: 32, data: image(0), channels: 3 }),
      );
      await Deno.writeFile(
        `${cwd}/b.png`,
        encodePng({ width: 32, height: 32, data: image(1), channels: 3 }),
      );
      const rgba = new Uint8Array(64 * 64 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));
      await Deno.writeFile(
        `${cwd}/c.jpg`,
        jpeg.encode({ width: 64, height: 64, data: rgba }, 90).data,
      );
      await Deno.writeFile(
        `${cwd}/broken.png`,
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
      );
      await Deno.writeFile(`${cwd}/empty.jpg`, new Uint8Array());
      await Deno.writeTextFile(`${cwd}/notes.txt`, "not an image");
      const files = ["a.png", "broken.png", "b.png", "empty.jpg", "c.jpg", "notes.txt", "gone.png"];
      const pj = await cli(cwd, "predict", run, ...files, "--json", "--top", "2");
      assert.equal(pj.code, 1, "exit status 1 when a file failed");
      const doc = JSON.parse(pj.stdout);
      assert.deepEqual(doc.predictions.map((p: { file: string }) => p.file), [
        "a.png",
        "b.png",
        "c.jpg",
      ]);
      assert.equal(doc.predictions[0].top.length, 2);
      assert.equal(doc.predictions[0].top[0].index, expected[0]);
      assert.equal(doc.predictions[1].top[0].index, expected[1]);
      const errors = doc.errors as { file: string; error: string }[];
      assert.deepEqual(errors.map((e) => e.file), [
        "broken.png",
        "empty.jpg",
        "notes.txt",
        "gone.png",
      ]);
      for (const e of errors) assert.ok(e.error.includes(`'${e.file}'`), e.error);
      assert.match(errors[1].error, /empty/);
      assert.match(errors[2].error, /not a PNG or JPEG/);
      const plain = await cli(cwd, "predict", run, "a.png", "broken.png");
      assert.equal(plain.code, 1);
      assert.match(plain.stdout, /^a\.png: \S/m);
      assert.match(plain.stderr, /error: Cannot decode 'broken\.png' as PNG/);
      assert.doesNotMatch(plain.stderr, STACK);
      const ok = await cli(cwd, "predict", run, "a.png");
      assert.equal(ok.code, 0, ok.stderr);

      // export: the folder a page loads; read back, it predicts as the checkpoint does.
      const ex = await cli(cwd, "export", run, "--out", "web");
      assert.equal(ex.code, 0, ex.stderr);
      const meta = JSON.parse(await Deno.readTextFile(`${cwd}/web/skiplab.json`));
      assert.deepEqual(meta.class_names, summary.class_names);
      assert.deepEqual(meta.input.normalization, { mean: 0.5, std: 0.5 });
      const web = await loadModelFolder(`${cwd}/web`);
      const img = [{ width: 32, height: 32, data: image(0) }];
      const [p1] = await predict(web, img), [p2] = await predict(loaded.model, img);
      assert.deepEqual(p1.probabilities, p2.probabilities);
      web.dispose();
      loaded.model.dispose();
      const refused = await cli(cwd, "export", run, "--out", ".");
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /not a skiplab export/);

      // A user's mistakes: one error line, exit 2, no stack trace.
      for (
        const args of [
          ["evaluate", "nowhere"],
          ["predict", run],
          ["evaluate", run, "--checkpoint", "worst"],
          ["export", run],
          ["train", "nope.yaml"],
        ]
      ) {
        const r = await cli(cwd, ...args);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^error: /m, args.join(" "));
        assert.doesNotMatch(r.stderr, STACK, args.join(" "));
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
