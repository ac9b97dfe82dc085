import assert from "node:assert/strict";
import { DOMParser } from "@xmldom/xmldom";
import * as aq from "arquero";
import { welch } from "../../analysis/stats.ts";
import { main } from "../../tasks/cli.ts";
import { ConfigError } from "../../experiment/load.ts";

Deno.test("deno task suite runs two tiny models and writes a two-row Table I with every figure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = `${Deno.cwd()}/experiment/builtin/paper-recipe.yaml`;
    await Deno.writeTextFile(
      `${dir}/cnn.yaml`,
      `extends: ${recipe}\nname: cnn\nmodel: baseline_cnn\n`,
    );
    await Deno.writeTextFile(
      `${dir}/noskip.yaml`,
      `extends: ${recipe}\nname: noskip\nmodel: resnet18\nplugins:\n  - name: ablations/no-skip\n`,
    );
    await Deno.writeTextFile(`${dir}/suite.yaml`, "name: tiny\nmembers: [cnn.yaml, noskip.yaml]\n");
    const flags = ["--data", "synthetic", "--limit", "128", "--epochs", "1", "--width", "0.125"];
    const said: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => void said.push(a.join(" "));
    try {
      assert.equal(await main(["suite", `${dir}/suite.yaml`, ...flags, "--out", `${dir}/runs`]), 0);
    } finally {
      console.error = error;
    }
    // The total comes before any member trains: both models timed, early stopping in the recipe.
    assert.match(said.join("\n"), /^suite tiny: 2 runs, up to about .+ in all on \w+$/m);
    const [suite] = [...Deno.readDirSync(`${dir}/runs`)].map((e) => `${dir}/runs/${e.name}`);
    const table = (await Deno.readTextFile(`${suite}/table.csv`)).trim().split("\n");
    assert.equal(table.length, 3, table.join("\n"));
    assert.match(table[1], /^cnn,/);
    assert.match(table[2], /^noskip,/);
    const md = await Deno.readTextFile(`${suite}/table.md`);
    assert.match(md, /\| Model \| n \| Test Acc\. \| Paper Test Acc\. \| Train Time \(min\) \|/);
    const peaks: number[] = [];
    for (const member of ["cnn", "noskip"]) {
      const summary = JSON.parse(await Deno.readTextFile(`${suite}/${member}/summary.json`));
      assert.equal(summary.epochs_run, 1);
      // Each member's own share of the process peak, never more than the peak itself.
      const { process_peak_rss_mb: peak, process_peak_increase_mb: increase } = summary;
      assert.ok(increase >= 0 && increase <= peak, `${member}: +${increase} of ${peak}`);
      peaks.push(peak);
    }
    // Members share one process: its high-water mark only rises from one member to the next.
    assert.ok(peaks[1] >= peaks[0], `${peaks}`);
    for (const fig of ["training", "validation", "gradients"]) {
      const svg = await Deno.readTextFile(`${suite}/figures/${fig}.svg`);
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      assert.equal(doc.documentElement?.nodeName, "svg", fig);
      assert.match(svg, /cnn/);
      assert.match(svg, /noskip/);
    }
    // Finished members are not trained again when the suite is resumed.
    const before = (await Deno.stat(`${suite}/cnn/summary.json`)).mtime;
    said.length = 0;
    console.error = (...a: unknown[]) => void said.push(a.join(" "));
    try {
      assert.equal(await main(["suite", "--resume", suite]), 0);
    } finally {
      console.error = error;
    }
    assert.doesNotMatch(said.join("\n"), /^suite tiny:/m, "nothing left to train, nothing timed");
    assert.deepEqual((await Deno.stat(`${suite}/cnn/summary.json`)).mtime, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The report's way of writing a fraction as signed percentage points. */
const points = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(2)}`;

Deno.test("deno task suite --seeds 0,1 trains each member once per seed; Table I and the report give mean, SD, n and Welch's interval", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = `${Deno.cwd()}/experiment/builtin/paper-recipe.yaml`;
    await Deno.writeTextFile(
      `${dir}/resnet.yaml`,
      `extends: ${recipe}\nname: resnet18\nmodel: resnet18\n`,
    );
    await Deno.writeTextFile(
      `${dir}/noskip.yaml`,
      `extends: ${recipe}\nname: resnet18_noskip\nmodel: resnet18\n` +
        "plugins:\n  - name: ablations/no-skip\n",
    );
    await Deno.writeTextFile(`${dir}/suite.yaml`, "name: s\nmembers: [resnet.yaml, noskip.yaml]\n");
    const flags = ["--data", "synthetic", "--limit", "128", "--epochs", "1", "--width", "0.125"];
    assert.equal(
      await main([
        "suite",
        `${dir}/suite.yaml`,
        ...flags,
        "--seeds",
        "0,1",
        "--out",
        `${dir}/runs`,
      ]),
      0,
    );
    const [suite] = [...Deno.readDirSync(`${dir}/runs`)].map((e) => `${dir}/runs/${e.name}`);
    const state = JSON.parse(await Deno.readTextFile(`${suite}/suite.json`));
    assert.deepEqual(
      state.members.map((m: { dir: string; setting: string; seed: number }) => [
        m.dir,
        m.setting,
        m.seed,
      ]),
      [
        ["resnet18-seed0", "resnet18", 0],
        ["resnet18-seed1", "resnet18", 1],
        ["resnet18_noskip-seed0", "resnet18_noskip", 0],
        ["resnet18_noskip-seed1", "resnet18_noskip", 1],
      ],
    );
    const acc: Record<string, number[]> = {};
    for (const m of state.members) {
      const s = JSON.parse(await Deno.readTextFile(`${suite}/${m.dir}/summary.json`));
      assert.equal(s.seed, m.seed);
      (acc[m.setting] ??= []).push(s.test_acc);
    }
    // Two seeds of one setting trained differently.
    assert.notDeepEqual(
      await Deno.readTextFile(`${suite}/resnet18-seed0/history.csv`),
      await Deno.readTextFile(`${suite}/resnet18-seed1/history.csv`),
    );
    const table = aq.fromCSV(await Deno.readTextFile(`${suite}/table.csv`));
    assert.deepEqual(table.array("Model"), ["resnet18", "resnet18_noskip"]);
    for (const [i, setting] of ["resnet18", "resnet18_noskip"].entries()) {
      const [a, b] = acc[setting];
      const row = table.object(i) as Record<string, number>;
      assert.equal(row["n"], 2);
      assert.ok(Math.abs(row["Test Acc."] - (a + b) / 2) < 1e-12);
      // Two values: the sample standard deviation is |a − b| / √2.
      const sd = row["Test Acc. SD"];
      assert.ok(Math.abs((Number.isFinite(sd) ? sd : 0) - Math.abs(a - b) / Math.SQRT2) < 1e-12);
    }
    const md = await Deno.readTextFile(`${suite}/report.md`);
    const e = welch(acc.resnet18, acc.resnet18_noskip);
    const line = `ResNet-18 − no-skip (init keras): ${points(e.diff)} points, 95% CI [${
      points(e.low)
    }, ${points(e.high)}]`;
    assert.ok(md.includes(line), `${line}\nnot in\n${md}`);
    // Resumable: a member lost before it trained is trained on resume; the others are kept.
    const kept = (await Deno.stat(`${suite}/resnet18-seed0/summary.json`)).mtime;
    await Deno.remove(`${suite}/resnet18_noskip-seed1`, { recursive: true });
    assert.equal(await main(["suite", "--resume", suite]), 0);
    assert.deepEqual((await Deno.stat(`${suite}/resnet18-seed0/summary.json`)).mtime, kept);
    const again = JSON.parse(
      await Deno.readTextFile(`${suite}/resnet18_noskip-seed1/summary.json`),
    );
    assert.equal(again.test_acc, acc.resnet18_noskip[1]);
    await assert.rejects(
      () => main(["suite", "--resume", suite, "--seeds", "2"]),
      ConfigError,
      "--seeds cannot be given",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train MODEL --seeds 0,1 is a one-setting suite, resumable with suite --resume", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const flags = ["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.125"];
    assert.equal(
      await main(["train", "baseline_cnn", ...flags, "--seeds", "0,1", "--out", dir]),
      0,
    );
    const [suite] = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
    const state = JSON.parse(await Deno.readTextFile(`${suite}/suite.json`));
    assert.deepEqual(state.members.map((m: { dir: string }) => m.dir), [
      "baseline_cnn-seed0",
      "baseline_cnn-seed1",
    ]);
    const table = aq.fromCSV(await Deno.readTextFile(`${suite}/table.csv`));
    assert.deepEqual([table.array("Model"), table.array("n")], [["baseline_cnn"], [2]]);
    await assert.rejects(
      () => main(["train", "baseline_cnn", "--seeds", "0,x"]),
      ConfigError,
      "--seeds: expected comma-separated integers",
    );
    await assert.rejects(
      () => main(["train", "baseline_cnn", "--seed", "1", "--seeds", "0,1"]),
      ConfigError,
      "cannot both be given",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the paper suite at a tiny budget writes one report: Table I beside the paper's, the skip effects and Figures 1–5, each with a caption", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const flags = ["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.125"];
    const args = ["experiment/builtin/paper.yaml", ...flags, "--seeds", "0,1", "--out", dir];
    assert.equal(await main(["suite", ...args]), 0);
    const [suite] = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
    const md = await Deno.readTextFile(`${suite}/report.md`);
    const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(sections, [
      "Table I: model comparison",
      "Effect of skip connections (test accuracy)",
      "Figures",
      "Members",
    ]);
    assert.match(
      md,
      /^Trained with: epochs 1; data synthetic; limit 64; width 0\.125; .*seeds 0, 1/m,
    );
    // The paper's Table I beside ours, row by row.
    for (
      const [model, paper] of [
        ["baseline_cnn", "84.1%"],
        ["mini_resnet", "87.0%"],
        ["resnet18", "89.9%"],
        ["resnet18_noskip", "86.0%"],
      ]
    ) {
      assert.match(
        md,
        new RegExp(`^\\| ${model} \\| 2 \\| [\\d.]+% ± [\\d.]+ \\| ${paper} \\|`, "m"),
      );
    }
    assert.match(md, /^- ResNet-18 − no-skip \(init keras\): [+−][\d.]+ points, 95% CI \[/m);
    assert.match(md, /^- ResNet-18 − baseline \(init keras\): [+−][\d.]+ points, 95% CI \[/m);
    // Each figure: a heading, the image, then a one-line caption saying what it shows.
    const figures = [
      ...md.matchAll(/^### (Figure \d): .+\n\n!\[(.+)\]\(figures\/(\w+)\.svg\)\n\n(.+)$/gm),
    ];
    assert.deepEqual(figures.map((f) => f[1]), [
      "Figure 1",
      "Figure 2",
      "Figure 3",
      "Figure 4",
      "Figure 5",
    ]);
    for (const [, , alt, file, caption] of figures) {
      assert.equal(alt, caption);
      assert.match(caption, /^[A-Z].{40,}\.$/);
      const svg = await Deno.readTextFile(`${suite}/figures/${file}.svg`);
      assert.equal(
        new DOMParser().parseFromString(svg, "image/svg+xml").documentElement?.nodeName,
        "svg",
      );
    }
    assert.match(figures[2][4], /at initialisation and with the final weights/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the paper-init suite crosses the skip ablation with every initialiser and states the skip effect for each", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const flags = ["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.125"];
    const args = ["experiment/builtin/paper-init.yaml", ...flags, "--out", dir];
    assert.equal(await main(["suite", ...args]), 0);
    const [suite] = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
    const state = JSON.parse(await Deno.readTextFile(`${suite}/suite.json`));
    const dirs = ["keras", "pytorch", "he"].flatMap((
      i,
    ) => [`resnet18-${i}`, `resnet18_noskip-${i}`]);
    assert.deepEqual(state.members.map((m: { dir: string }) => m.dir).sort(), dirs.sort());
    for (const m of state.members) {
      const s = JSON.parse(await Deno.readTextFile(`${suite}/${m.dir}/summary.json`));
      assert.equal(s.recipe.init, m.dir.split("-").pop());
      assert.equal(s.name, m.setting);
    }
    const md = await Deno.readTextFile(`${suite}/report.md`);
    for (const init of ["keras", "pytorch", "he"]) {
      // One seed per setting: the difference, and why there is no interval.
      assert.match(
        md,
        new RegExp(
          `^- ResNet-18 − no-skip \\(init ${init}\\): [+−][\\d.]+ points, no interval`,
          "m",
        ),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
