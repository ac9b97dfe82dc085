import assert from "node:assert/strict";
import { DOMParser } from "@xmldom/xmldom";
import { main } from "../../tasks/cli.ts";

Deno.test("deno task suite runs two tiny models and writes a two-row Table I with every figure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = `${Deno.cwd()}/tasks/experiments/paper-recipe.yaml`;
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
    assert.equal(await main(["suite", `${dir}/suite.yaml`, ...flags, "--out", `${dir}/runs`]), 0);
    const [suite] = [...Deno.readDirSync(`${dir}/runs`)].map((e) => `${dir}/runs/${e.name}`);
    const table = (await Deno.readTextFile(`${suite}/table.csv`)).trim().split("\n");
    assert.equal(table.length, 3, table.join("\n"));
    assert.match(table[1], /^cnn,/);
    assert.match(table[2], /^noskip,/);
    const md = await Deno.readTextFile(`${suite}/table.md`);
    assert.match(md, /\| Model \| Test Acc\. \| Train Time \(min\) \| Params \|/);
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
    assert.equal(await main(["suite", "--resume", suite]), 0);
    assert.deepEqual((await Deno.stat(`${suite}/cnn/summary.json`)).mtime, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
