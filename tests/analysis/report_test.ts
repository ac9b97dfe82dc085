import assert from "node:assert/strict";
import * as aq from "arquero";
import { join } from "node:path";
import { compareRuns } from "../../analysis/compare.ts";
import { renderReport } from "../../analysis/report.ts";
import { byClass, copyFixtures, parseSvg } from "./_helpers.ts";

Deno.test("renderReport() of a run writes classes.csv, valid SVG figures and report.md from the files", async () => {
  const tmp = await copyFixtures(["resnet18"]);
  try {
    const dir = join(tmp, "run_resnet18");
    const result = await renderReport(dir, { color: false, width: 80 });
    assert.equal(result.kind, "run");
    const classes = aq.fromCSV(await Deno.readTextFile(join(dir, "classes.csv")));
    assert.deepEqual(classes.columnNames(), ["class", "precision", "recall", "f1", "support"]);
    const summary = JSON.parse(await Deno.readTextFile(join(dir, "summary.json")));
    const cm = (await Deno.readTextFile(join(dir, "confusion.csv"))).trim().split("\n").slice(1)
      .map((l) => l.split(",").slice(1).map(Number));
    const n = summary.class_names.length;
    assert.equal(classes.numRows(), n + 3);
    // The accuracy row: the diagonal of confusion.csv over its total, the summary's test accuracy.
    const diagonal = cm.reduce((t, row, i) => t + row[i], 0);
    const total = cm.flat().reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(classes.get("f1", n) - diagonal / total) < 1e-4);
    assert.ok(Math.abs(diagonal / total - summary.test_acc) < 1e-12);
    for (const f of ["training", "validation", "gradients", "confusion"]) {
      const path = join(dir, "figures", `${f}.svg`);
      assert.ok(result.files.includes(path), f);
      const doc = parseSvg(await Deno.readTextFile(path));
      const marks = byClass(doc, f === "confusion" ? "mark-rect role-mark" : "mark-line role-mark");
      assert.ok(marks.length > 0, `${f} has no marks`);
    }
    const md = await Deno.readTextFile(join(dir, "report.md"));
    for (const f of ["training", "validation", "gradients", "confusion"]) {
      assert.match(md, new RegExp(`\\(figures/${f}\\.svg\\)`));
    }
    const acc = `${(summary.test_acc * 100).toFixed(2)}%`;
    const params = summary.trainable_params.toLocaleString("en-US");
    assert.ok(
      md.includes(
        `| resnet18 | 1 | ${acc} | 89.9% | ${summary.train_minutes.toFixed(2)} | 24 | ${params} |`,
      ),
    );
    assert.match(md, /\| architecture\.skip \| true \|/);
    assert.match(md, /## Classification report[\s\S]*\| macro avg \|/);
    assert.match(result.text, /precision {4}recall {2}f1-score {3}support/);
    assert.match(result.text, /Accuracy of resnet18/);
    assert.ok(!result.text.includes("\x1b["));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("renderReport() keeps an existing classes.csv", async () => {
  const tmp = await copyFixtures(["baseline_cnn"]);
  try {
    const dir = join(tmp, "run_baseline_cnn");
    await Deno.writeTextFile(join(dir, "classes.csv"), "class,precision,recall,f1,support\n");
    const result = await renderReport(dir, { color: false });
    assert.equal(
      await Deno.readTextFile(join(dir, "classes.csv")),
      "class,precision,recall,f1,support\n",
    );
    assert.ok(!result.files.includes(join(dir, "classes.csv")));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("renderReport() of a suite writes Table I, every member and the five multi-run figures", async () => {
  const tmp = await copyFixtures(["baseline_cnn", "resnet18_noskip"]);
  try {
    await Deno.writeTextFile(
      join(tmp, "suite.json"),
      JSON.stringify({ members: ["run_baseline_cnn", "run_resnet18_noskip"] }),
    );
    const result = await renderReport(tmp, { color: false });
    assert.equal(result.kind, "suite");
    const table = aq.fromCSV(await Deno.readTextFile(join(tmp, "table.csv")));
    assert.deepEqual(table.array("Model"), ["baseline_cnn", "resnet18_noskip"]);
    for (
      const f of ["training", "validation", "gradients", "ablation_training", "ablation_validation"]
    ) {
      const doc = parseSvg(await Deno.readTextFile(join(tmp, "figures", `${f}.svg`)));
      const lines = byClass(doc, "mark-line role-mark").length;
      // Gradients: one line per run in each of two panels (init, final).
      assert.equal(lines, 4, f);
    }
    for (const m of ["run_baseline_cnn", "run_resnet18_noskip"]) {
      assert.ok((await Deno.stat(join(tmp, m, "report.md"))).isFile);
      assert.ok((await Deno.stat(join(tmp, m, "figures", "confusion.svg"))).isFile);
    }
    const md = await Deno.readTextFile(join(tmp, "report.md"));
    assert.match(md, /Figure 5/);
    assert.match(md, /\[resnet18_noskip\]\(run_resnet18_noskip\/report\.md\)/);
    const acc = JSON.parse(await Deno.readTextFile(join(tmp, "run_baseline_cnn", "summary.json")))
      .test_acc;
    assert.ok(
      (await Deno.readTextFile(join(tmp, "table.md")))
        .includes(`| baseline_cnn | 1 | ${(acc * 100).toFixed(2)}% | 84.1% |`),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("renderReport() rejects a directory that is neither a run nor a suite", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await assert.rejects(() => renderReport(tmp), Deno.errors.NotFound, "neither suite.json");
    await Deno.writeTextFile(join(tmp, "suite.json"), JSON.stringify({ members: [] }));
    await assert.rejects(
      () => renderReport(tmp),
      SyntaxError,
      "'members' must be a non-empty array",
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compareRuns() puts runs in one table with overlaid curves and writes nothing", async () => {
  const tmp = await copyFixtures(["baseline_cnn", "resnet18"]);
  try {
    const dirs = [join(tmp, "run_baseline_cnn"), join(tmp, "run_resnet18")];
    const text = await compareRuns(dirs, { color: false, width: 100 });
    assert.match(text, /^Model +n +Test Acc\. +Paper Test Acc\./m);
    for (const d of dirs) {
      const s = JSON.parse(await Deno.readTextFile(join(d, "summary.json")));
      assert.match(text, new RegExp(`^${s.name} +1 +${(s.test_acc * 100).toFixed(2)}%`, "m"));
    }
    assert.match(text, /── baseline_cnn {3}\*\* resnet18/);
    for (const d of dirs) {
      await assert.rejects(() => Deno.stat(join(d, "report.md")), Deno.errors.NotFound);
    }
    await assert.rejects(() => compareRuns([]), RangeError);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
