import assert from "node:assert/strict";
import { defaultColor, lineChart } from "../../analysis/line_chart.ts";

const opts = { title: "Accuracy", xLabel: "epoch", color: false, width: 60, height: 6 };
const ESC = "\x1b[";
const strip = (s: string) => s.replace(new RegExp(String.raw`\x1b\[[0-9;]*m`, "g"), "");
const rowLabels = (text: string) =>
  text.split("\n").filter((l) => /[┤┼]/.test(l)).map((l) => Number(l.split(/[┤┼]/)[0]));

Deno.test("lineChart() drops NaN and Infinity with a note and keeps the finite values", () => {
  const text = lineChart([{ name: "run", x: [0, 1, 2, 3], y: [0.1, NaN, Infinity, 0.4] }], opts);
  assert.match(text, /note: run: 2 non-finite value\(s\) dropped/);
  assert.doesNotMatch(text, /NaN|Infinity/);
  const labels = rowLabels(text);
  assert.equal(labels[0], 0.4);
  assert.equal(labels[labels.length - 1], 0.1);
});

Deno.test("lineChart() leaves out an empty series, and says so when nothing is left", () => {
  const mixed = lineChart([{ name: "a", x: [], y: [] }, { name: "b", x: [0, 1], y: [1, 2] }], opts);
  assert.match(mixed, /note: a: no finite values, not drawn/);
  assert.match(mixed, /── b/);
  assert.doesNotMatch(mixed, /── a/);
  const none = lineChart([{ name: "a", x: [0], y: [NaN] }], opts);
  assert.match(none, /\(no data to plot\)/);
  assert.equal(lineChart([], opts), "Accuracy\n  (no data to plot)\n");
});

Deno.test("lineChart() draws a one-point series flat at its value", () => {
  const text = lineChart([{ name: "only", x: [0], y: [1.5] }], opts);
  assert.match(text, /note: only: one point, drawn flat/);
  const line = text.split("\n").find((l) => l.includes("─") && /[┤┼]/.test(l) && !l.includes("└"));
  assert.ok(line, text);
  assert.equal(Number(line.split(/[┤┼]/)[0]), 1.5);
});

Deno.test("lineChart() honours color: ANSI codes only when asked", () => {
  const series = [{ name: "a", x: [0, 1], y: [1, 2] }, { name: "b", x: [0, 1], y: [2, 1] }];
  assert.ok(!lineChart(series, opts).includes(ESC));
  const coloured = lineChart(series, { ...opts, color: true });
  assert.ok(coloured.includes(ESC));
  // Without colours the second series gets its own marker, named in the legend.
  assert.match(lineChart(series, opts), /\*\* b/);
});

Deno.test("defaultColor() is false when NO_COLOR is set, and lineChart() then has no ANSI codes", () => {
  const before = Deno.env.get("NO_COLOR");
  Deno.env.set("NO_COLOR", "1");
  try {
    assert.equal(defaultColor(), false);
    const text = lineChart([{ name: "a", x: [0, 1], y: [1, 2] }], {
      title: "t",
      xLabel: "epoch",
      width: 50,
    });
    assert.ok(!text.includes(ESC));
  } finally {
    if (before === undefined) Deno.env.delete("NO_COLOR");
    else Deno.env.set("NO_COLOR", before);
  }
});

Deno.test("lineChart() fits the width and labels the x axis and the legend", () => {
  for (const width of [40, 80, 120]) {
    const text = lineChart(
      [{ name: "train", x: [0, 1, 2, 3, 4], y: [0.2, 0.4, 0.5, 0.6, 0.65] }, {
        name: "val",
        x: [0, 1, 2, 3, 4],
        y: [0.1, 0.3, 0.4, 0.45, 0.5],
      }],
      { ...opts, width, color: true },
    );
    for (const line of text.split("\n")) {
      assert.ok([...strip(line)].length <= width, `${width}: '${line}'`);
    }
    assert.match(text, /\n\s+epoch\n/);
    assert.match(strip(text), /── train {3}── val/);
    assert.match(text, /└/);
  }
});

Deno.test("lineChart() on a log scale drops values that are not positive and labels powers of ten", () => {
  const text = lineChart([{ name: "g", x: [0, 1, 2], y: [0, 1e-4, 1e-2] }], {
    ...opts,
    logY: true,
  });
  assert.match(text, /log10 scale/);
  assert.match(text, /note: g: 1 non-positive or non-finite value\(s\) dropped/);
  const labels = rowLabels(text);
  assert.equal(labels[0], 1e-2);
  assert.equal(labels[labels.length - 1], 1e-4);
});

Deno.test("lineChart() rejects a series whose x and y lengths differ", () => {
  assert.throws(
    () => lineChart([{ name: "bad", x: [0, 1], y: [1] }], opts),
    /series 'bad': 'x' and 'y' must have equal lengths, got 2 and 1/,
  );
});
