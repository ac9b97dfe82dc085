import assert from "node:assert/strict";
import { DOMParser } from "@xmldom/xmldom";
import { finalTrainError, readDegradation } from "../../analysis/mod.ts";
import { main } from "../../tasks/cli.ts";

Deno.test("a miniature degradation suite writes the Figure 6 analogue, the table beside He et al.'s and init gradient flow", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = `${Deno.cwd()}/experiment/builtin/he-cifar.yaml`;
    const members = ["plain20", "plain32", "resnet20", "resnet32"];
    for (const m of members) {
      await Deno.writeTextFile(`${dir}/${m}.yaml`, `extends: ${recipe}\nname: ${m}\nmodel: ${m}\n`);
    }
    await Deno.writeTextFile(
      `${dir}/suite.yaml`,
      `name: mini-degradation\nmembers: [${members.map((m) => `${m}.yaml`).join(", ")}]\n`,
    );
    // 1/10,000 of the recipe: 6 iterations, drops after 3 and 5, a curve point every step.
    const flags = [
      "--data",
      "synthetic",
      "--limit",
      "64",
      "--batch-size",
      "16",
      "--budget",
      "0.0001",
    ];
    const code = await main([
      "suite",
      `${dir}/suite.yaml`,
      ...flags,
      "--width",
      "0.125",
      "--out",
      `${dir}/runs`,
    ]);
    assert.equal(code, 0);
    const [suite] = [...Deno.readDirSync(`${dir}/runs`)].map((e) => `${dir}/runs/${e.name}`);

    const runs = await readDegradation([suite]);
    assert.deepEqual(runs.map((r) => `${r.family}${r.depth}`).sort(), [...members].sort());
    for (const r of runs) {
      assert.deepEqual(r.curve.map((p) => p.iteration), [1, 2, 3, 4, 5, 6], r.name);
      // Every main-path layer has its gradient at initialisation, the stem at depth 0.
      assert.deepEqual(r.initGradients.map((g) => g.depth), [...Array(r.depth).keys()], r.name);
      assert.ok(r.initGradients.every((g) => g.norm > 0 && Number.isFinite(g.norm)), r.name);
    }
    const curve = (await Deno.readTextFile(`${suite}/plain20/curve.csv`)).trim().split("\n");
    const lr = curve.slice(1).map((l) => Number(l.split(",").at(-1)).toPrecision(3));
    assert.deepEqual(lr, ["0.100", "0.100", "0.100", "0.0100", "0.0100", "0.00100"]);

    const md = await Deno.readTextFile(`${suite}/degradation.md`);
    const row = (net: string) => md.split("\n").find((l) => l.startsWith(`| ${net} |`));
    assert.match(row("ResNet-20")!, /\| 8\.75 \|$/);
    assert.match(row("ResNet-32")!, /\| 7\.51 \|$/);
    assert.match(row("plain-32")!, /Fig\. 6: rises with depth/);
    assert.match(md, /^- plain-32's final training error (is above|is below|equals) plain-20's: /m);
    assert.match(
      md,
      /^- ResNet-32's final training error (is above|is below|equals) ResNet-20's: /m,
    );
    assert.match(md, /- plain-32: stem \/ classifier gradient norm at initialisation [\d.e+-]+/);
    assert.match(await Deno.readTextFile(`${suite}/report.md`), /\[degradation\.md\]/);

    const svg = (f: string) =>
      new DOMParser().parseFromString(
        Deno.readTextFileSync(`${suite}/figures/${f}`),
        "image/svg+xml",
      );
    const fig6 = svg("degradation.svg");
    const text = [...Array.from(fig6.getElementsByTagName("text"))].map((t) => t.textContent).join(
      "|",
    );
    for (const label of ["plain networks", "ResNets", "iterations", "error (%)"]) {
      assert.ok(text.includes(label), `Figure 6 analogue lacks '${label}'`);
    }
    // Thin training and bold held-out lines: two widths, one pair per net.
    const widths = Array.from(fig6.getElementsByTagName("path"))
      .filter((p) => p.getAttribute("class")?.includes("mark-line") || p.parentNode)
      .map((p) => p.getAttribute("stroke-width")).filter((w) => w !== null);
    assert.ok(
      widths.includes("1") && widths.includes("3.5"),
      `stroke widths ${[...new Set(widths)]}`,
    );
    const grads = Array.from(svg("degradation_gradients.svg").getElementsByTagName("text"))
      .map((t) => t.textContent);
    for (const net of ["plain-32", "ResNet-32", "plain-20", "ResNet-20"]) {
      assert.ok(grads.includes(net), `gradient figure lacks ${net}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("finalTrainError() merges a short last window with the one before, weighted by steps", () => {
  const p = (iteration: number, train_error: number) => ({ iteration, train_error, val_error: 0 });
  assert.equal(finalTrainError([p(38, 0.9), p(76, 0.8)]), 0.8);
  // 2 steps after a window of 38: (0.6·2 + 0.8·38) / 40.
  assert.ok(Math.abs(finalTrainError([p(38, 0.9), p(76, 0.8), p(78, 0.6)]) - 0.79) < 1e-12);
});
