/**
 * The dashboard in a real headless Chromium over a folder of runs from real
 * miniature trainings (tests/serve/_runs.ts), and one run trained while the
 * page is open. With SKIPLAB_SCREENSHOTS=1 the views are saved as the
 * dashboard guide's screenshots (docs/8-dashboard.md).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { selectBackend } from "../../backends/mod.ts";
import { writeConfig } from "../../rundir/mod.ts";
import { serveDashboard, writeHtmlReport } from "../../serve/mod.ts";
import { train } from "../../train/mod.ts";
import { heartbeat, runTables, stepTable } from "../../train/observers/mod.ts";
import type { Plugin } from "../../train/hooks.ts";
import { ignoreBrowser, withPage } from "../_browser.ts";
import { TINY_DATA, tinyModel } from "../train/_tiny.ts";
import {
  FIXTURE_EPOCHS,
  HOSTILE,
  HOSTILE_ID,
  makeRunsFolder,
  SECOND_SEED_ID,
  SUITE_ID,
  SWEEP_ID,
} from "./_runs.ts";

const DOCS = new URL("../../docs/", import.meta.url);
const SAVE = Deno.env.get("SKIPLAB_SCREENSHOTS") === "1";

async function screenshot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  if (SAVE) {
    await Deno.mkdir(DOCS, { recursive: true });
    await Deno.writeFile(new URL(`dashboard_${name}.png`, DOCS), png);
  }
}

/** Runs `fn` with a page on a dashboard over a fresh runs folder. */
async function withDashboardPage(
  fn: (page: Page, url: string, root: string) => Promise<void>,
  folder: Parameters<typeof makeRunsFolder>[0] = {},
) {
  const root = await makeRunsFolder(folder);
  const server = await serveDashboard({ root, port: 0, log: () => {} });
  try {
    await withPage(async (page) => {
      page.on("dialog", (d) => {
        throw new Error(`a dialog opened: ${d.message()}`);
      });
      await page.setViewportSize({ width: 1280, height: 900 });
      await fn(page, server.url, root);
    });
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

/** The points Vega drew for `series` in chart `chart` (its aria-label names each point's fields). */
const points = async (page: Page, chart: string, series: string) =>
  (await page.locator(
    `figure[data-chart="${chart}"][data-ready="1"] path[aria-roledescription="point"]`,
  ).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? "")))
    .filter((label) => label.split("; ").includes(`series: ${series}`)).length;

/** Waits until Vega has drawn chart `chart`. */
const drawn = (page: Page, chart: string) =>
  page.waitForSelector(`figure[data-chart="${chart}"][data-ready="1"] svg`);

/** The [x, y] vertices of the SVG path `d` (M and L commands, as Vega writes its lines). */
const vertices = (d: string) =>
  [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

Deno.test({
  name: "the runs table lists every run, sorts and filters; the run page draws one point per epoch",
  ignore: ignoreBrowser,
  async fn() {
    await withDashboardPage(async (page, url) => {
      await page.goto(url);
      await page.waitForSelector("#runs tbody tr");
      assert.equal(await page.locator("#runs tbody tr").count(), 8);
      await page.click('th[data-sort="testAcc"]');
      await page.waitForSelector('th.asc[data-sort="testAcc"]');
      await page.click('th[data-sort="testAcc"]');
      await page.waitForSelector('th.desc[data-sort="testAcc"]');
      const accs = await page.$$eval(
        "#runs tbody tr td:nth-child(9)",
        (tds) => tds.map((t) => parseFloat(t.textContent!)),
      );
      assert.deepEqual(accs, [...accs].sort((a, b) => b - a));
      await screenshot(page, "table");
      await page.fill("#filter", "noskip");
      assert.equal(await page.locator("#runs tbody tr").count(), 2);
      await page.fill("#filter", "");
      await page.click('#runs a:text-is("resnet18")');
      for (const chart of ["accuracy", "loss", "lr", "gradients"]) await drawn(page, chart);
      assert.equal(await points(page, "accuracy", "val acc"), FIXTURE_EPOCHS);
      assert.equal(await points(page, "accuracy", "train acc"), FIXTURE_EPOCHS);
      assert.equal(await points(page, "loss", "val loss"), FIXTURE_EPOCHS);
      assert.equal(await points(page, "lr", "lr"), FIXTURE_EPOCHS);
      assert.ok(await points(page, "gradients", "init") > 10);
      assert.deepEqual(
        await page.locator('figure[data-chart="accuracy"] .role-legend-label text')
          .allTextContents(),
        ["train acc", "val acc"],
      );
      // The learning rate is a step function: every segment of its line level or upright.
      const lr = vertices(
        (await page.locator('figure[data-chart="lr"] path[aria-roledescription="line mark"]')
          .getAttribute("d"))!,
      );
      assert.ok(lr.length > FIXTURE_EPOCHS, `${lr.length} vertices`);
      for (let i = 1; i < lr.length; i++) {
        const [[x0, y0], [x1, y1]] = [lr[i - 1], lr[i]];
        assert.ok(Math.abs(x1 - x0) < 0.01 || Math.abs(y1 - y0) < 0.01, `segment ${i}: ${lr}`);
      }
      // Hover shows a point's values.
      await page.locator('figure[data-chart="accuracy"] path[aria-roledescription="point"]').first()
        .hover();
      await page.waitForSelector("#chart-tip:not([hidden])");
      assert.match(
        await page.locator("#chart-tip").innerText(),
        /series[\s\S]*accuracy\s+\d+\.\d\d%/,
      );
      assert.equal(await page.locator("table.confusion tbody tr").count(), 10);
      assert.ok(await page.locator(".mistake canvas").count() > 0);
      await screenshot(page, "run");
      // Percent ticks as precise as their spacing: a 16.6% point between 16.5% and 16.7%, not "17%".
      await page.locator("#main").evaluate((main: { append(n: unknown): void }) => {
        const S = (globalThis as unknown as { skiplab: Record<string, (o: unknown) => unknown> })
          .skiplab;
        main.append(S.lineChart({
          id: "narrow",
          title: "narrow",
          xLabel: "epoch",
          yLabel: "accuracy",
          percent: true,
          series: [{ label: "val acc", points: [[1, 0.161], [2, 0.166], [3, 0.169]] }],
        }));
      });
      await drawn(page, "narrow");
      const ticks = (await page.locator('figure[data-chart="narrow"] .role-axis-label text')
        .allTextContents()).filter((t) => t.endsWith("%"));
      assert.ok(ticks.length >= 3, `ticks ${ticks}`);
      assert.equal(new Set(ticks).size, ticks.length, `ticks ${ticks}`);
      for (const t of ticks) assert.match(t, /^16\.\d%$/);
    });
  },
});

Deno.test({
  name: "selecting two runs overlays both on the same axes with a legend; a suite shows Table I",
  ignore: ignoreBrowser,
  async fn() {
    await withDashboardPage(async (page, url) => {
      await page.goto(url);
      await page.check('tr[data-id="run_resnet18"] input[type=checkbox]');
      await page.check('tr[data-id="run_resnet18_noskip"] input[type=checkbox]');
      await page.click("#compare");
      for (const chart of ["val_acc", "acc", "val_loss", "loss", "lr", "gradients"]) {
        await drawn(page, chart);
      }
      const fig = page.locator('figure[data-chart="val_acc"]');
      assert.equal(await fig.locator('path[aria-roledescription="line mark"]').count(), 2);
      // One legend above the charts, naming what differs between the runs, not their ids.
      assert.equal(await page.locator("figure .role-legend").count(), 0);
      const keys = await page.locator(".legend.shared .key").allTextContents();
      assert.deepEqual(keys, ["resnet18", "resnet18 (no skip)"]);
      for (const k of keys) assert.equal(await points(page, "val_acc", k), FIXTURE_EPOCHS);
      await screenshot(page, "compare");
      await page.goto(`${url}#/suite/${SUITE_ID}`);
      await page.waitForSelector('table[data-table="table-one"] tbody tr');
      const rows = await page.locator('table[data-table="table-one"] tbody tr').allTextContents();
      assert.equal(rows.length, 3);
      assert.match(rows[1], /^resnet18.*89\.90%/);
      // The report's figures, drawn by Vega: one line (and band) per setting, a legend entry each.
      await page.waitForSelector('figure[data-chart="suite-train"][data-ready="1"]');
      const legend = await page.locator('figure[data-chart="suite-train"] .role-legend-label text')
        .allTextContents();
      assert.deepEqual(legend, ["baseline_cnn", "resnet18", "resnet18_noskip"]);
      // resnet18's two seeds are one band; "show each seed" draws each beside it.
      const train = 'figure[data-chart="suite-train"] path[aria-roledescription="line mark"]';
      const meanLines = await page.locator(train).count();
      await page.check('input[data-toggle="seeds"]');
      await page.waitForSelector('.charts[data-seeds="shown"]');
      assert.equal(await page.locator(train).count(), meanLines + 2 * 2); // two panels
      await screenshot(page, "suite_seeds");
      await page.uncheck('input[data-toggle="seeds"]');
      await page.waitForSelector('.charts[data-seeds="hidden"]');
      await screenshot(page, "suite");
      await page.goto(`${url}#/sweep/${SWEEP_ID}`);
      await page.waitForSelector('figure[data-chart="sweep-axis-1"][data-ready="1"]');
      const best = await page.locator("p.best").getAttribute("data-best");
      assert.ok(best);
      assert.match(
        await page.locator("p.best").innerText(),
        new RegExp(`: ${best} — best val acc`),
      );
      await screenshot(page, "sweep");
    }, { suiteSecondSeed: true });
  },
});

/** The line marks Vega drew in chart `chart`. */
const lines = (page: Page, chart: string) =>
  page.locator(`figure[data-chart="${chart}"] path[aria-roledescription="line mark"]`).count();

Deno.test({
  name:
    "comparing two seeds of a setting and another run draws two series, the seeds as a band with n=2, each seed on demand",
  ignore: ignoreBrowser,
  async fn() {
    await withDashboardPage(async (page, url) => {
      await page.goto(url);
      for (const id of ["run_resnet18", SECOND_SEED_ID, "run_resnet18_noskip"]) {
        await page.check(`tr[data-id="${id}"] input[type=checkbox]`);
      }
      await page.click("#compare");
      for (const chart of ["val_acc", "acc", "val_loss", "loss", "lr", "gradients"]) {
        await drawn(page, chart);
      }
      const keys = await page.locator(".legend.shared .key").allTextContents();
      assert.deepEqual(keys, ["resnet18 (n=2)", "resnet18 (no skip) · seed 1"]);
      // The seeds' mean, one point an epoch, and the band of their spread; the other run alone.
      assert.equal(await points(page, "val_acc", keys[0]), FIXTURE_EPOCHS);
      assert.equal(await points(page, "val_acc", keys[1]), FIXTURE_EPOCHS);
      assert.equal(await lines(page, "val_acc"), 2);
      const band = page.locator(
        'figure[data-chart="val_acc"] path[aria-roledescription="area mark"]',
      );
      assert.equal(await band.count(), 1);
      const bandBox = (await band.boundingBox())!;
      assert.ok(bandBox.height > 5, `band ${JSON.stringify(bandBox)}`);
      await page.locator(
        `figure[data-chart="val_acc"] path[aria-roledescription="point"][aria-label*="runs: 2"]`,
      ).last().hover();
      await page.waitForSelector("#chart-tip:not([hidden])");
      assert.match(await page.locator("#chart-tip").innerText(), /runs\s+2/);
      // "show each seed" adds each seed's own line in the chart; off again, they go.
      await page.check('input[data-toggle="seeds"]');
      await page.waitForSelector('.charts[data-seeds="shown"]');
      assert.equal(await lines(page, "val_acc"), 4);
      assert.equal(await lines(page, "loss"), 4);
      const seedPoints = await page.locator(
        'figure[data-chart="val_acc"] path[aria-roledescription="point"]',
      ).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      for (const seed of ["run: seed 1", "run: seed 2"]) {
        assert.equal(seedPoints.filter((l) => l.split("; ").includes(seed)).length, FIXTURE_EPOCHS);
      }
      await screenshot(page, "compare_seeds");
      await page.uncheck('input[data-toggle="seeds"]');
      await page.waitForSelector('.charts[data-seeds="hidden"]');
      assert.equal(await lines(page, "val_acc"), 2);
    });
  },
});

Deno.test({
  name: "a run named <script>alert(1)</script> shows as text, and '..' paths are refused",
  ignore: ignoreBrowser,
  async fn() {
    await withDashboardPage(async (page, url) => {
      await page.goto(url);
      await page.waitForSelector("#runs tbody tr");
      assert.equal(
        await page.textContent(`tr[data-id="${HOSTILE_ID}"] td:nth-child(2) a`),
        HOSTILE,
      );
      await page.goto(`${url}#/run/${HOSTILE_ID}`);
      await page.waitForSelector("table.confusion");
      assert.match((await page.textContent("h1"))!, /<script>alert\(1\)<\/script>/);
      assert.match(
        (await page.textContent("table.confusion thead"))!,
        /<img src=x onerror=alert\(2\)>/,
      );
      assert.match((await page.textContent("pre.config"))!, /<b onmouseover=alert\(3\)>/);
      assert.equal(await page.locator("main img, main script, main b[onmouseover]").count(), 0);
      for (const path of ["api/run/..%2F..%2Fetc%2Fpasswd", "api/run/%2e%2e%2f%2e%2e%2fetc"]) {
        const r = await page.goto(url + path);
        assert.equal(r!.status(), 403, path);
      }
      // The browser resolves plain and %2e%2e segments before sending: nothing outside is reached.
      for (const path of ["api/run/../../../etc/passwd", "api/run/%2e%2e/%2e%2e/etc/passwd"]) {
        const r = await page.goto(url + path);
        assert.ok(r!.status() >= 400, path);
        assert.doesNotMatch(await r!.text(), /root:/);
      }
    });
  },
});

Deno.test({
  name:
    "steps and epochs a training run writes show on its open page without reload, and the table says training",
  ignore: ignoreBrowser,
  sanitizeResources: false,
  async fn() {
    await selectBackend("cpu");
    await withDashboardPage(async (page, url, root) => {
      const dir = join(root, "live-run");
      await Deno.mkdir(dir);
      await writeConfig(dir, "name: live-run\nmodel: tiny_resnet\nepochs: 3\n");
      // Each epoch end waits for the test, after run-tables wrote history.csv.
      const reached: PromiseWithResolvers<void>[] = [0, 1, 2].map(() => Promise.withResolvers());
      const release: PromiseWithResolvers<void>[] = [0, 1, 2].map(() => Promise.withResolvers());
      const gate: Plugin = {
        name: "test/gate",
        async onEpochEnd(m) {
          reached[m.epoch].resolve();
          await release[m.epoch].promise;
        },
      };
      const stepReached = Promise.withResolvers<void>(),
        stepRelease = Promise.withResolvers<void>();
      const stepGate: Plugin = {
        name: "test/step-gate",
        async afterGradients(_g, ctx) {
          if (ctx.globalStep !== 2) return; // the last of the first epoch's three steps
          stepReached.resolve();
          await stepRelease.promise;
        },
      };
      const model = tinyModel();
      const training = train({
        model,
        ...TINY_DATA,
        epochs: 3,
        batchSize: 32,
        optimizer: { type: "adam", lr: 3e-3 },
        plugins: [heartbeat(dir, 1), stepTable(dir, 1), runTables(dir), gate, stepGate],
        runDir: dir,
      });
      await page.goto(`${url}#/run/live-run`);
      // Inside the first epoch, held at its last (third) step: the steps so far show, no epoch yet.
      await stepReached.promise;
      try {
        await page.waitForSelector('.toolbar[data-steps="2"]', { timeout: 5000 });
        await page.waitForSelector('figure[data-chart="step-loss"][data-ready="1"] svg');
        assert.equal(
          await page.locator('figure[data-chart="accuracy"]').getAttribute("data-ready"),
          "empty",
        );
        await screenshot(page, "run_live");
      } finally {
        stepRelease.resolve();
      }
      await page.waitForSelector('figure[data-chart="accuracy"]');
      await page.evaluate(() => ((globalThis as { marker?: number }).marker = 1));
      // A second tab on the runs table, which must follow the same epochs.
      const table = await page.context().browser()!.newPage();
      await table.goto(url);
      await table.waitForSelector('tr[data-id="live-run"]');
      await table.evaluate(() => ((globalThis as { marker?: number }).marker = 1));
      const epochsCell = () => table.textContent('tr[data-id="live-run"] td:nth-child(7)');
      try {
        for (let epoch = 0; epoch < 3; epoch++) {
          await reached[epoch].promise;
          const written = Date.now();
          // Polled from here: the page's CSP forbids the evaluated predicates of waitForFunction.
          while ((await points(page, "accuracy", "val acc")) !== epoch + 1) {
            if (Date.now() - written > 5000) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          const seconds = (Date.now() - written) / 1000;
          assert.ok(seconds < 5, `epoch ${epoch + 1} appeared after ${seconds} s`);
          console.log(
            `epoch ${epoch + 1} on the page ${seconds.toFixed(2)} s after it was written`,
          );
          if (epoch === 0) {
            assert.equal(await page.textContent(".facts .status"), "training");
          }
          while ((await epochsCell()) !== `${epoch + 1}/3`) {
            if (Date.now() - written > 5000) assert.fail(`table shows ${await epochsCell()}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          release[epoch].resolve();
        }
      } finally {
        release.forEach((r) => r.resolve());
        await training;
        model.dispose();
      }
      assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1);
      assert.equal(await table.evaluate(() => (globalThis as { marker?: number }).marker), 1);
    });
  },
});

Deno.test({
  name: "the HTML report opens offline from a file and shows the table, a run and a suite",
  ignore: ignoreBrowser,
  async fn() {
    const root = await makeRunsFolder();
    try {
      const file = await writeHtmlReport(root);
      await withPage(async (page) => {
        // Offline: any request that is not the file itself fails the test.
        const requests: string[] = [];
        page.on("request", (r) => void (r.url().startsWith("file://") || requests.push(r.url())));
        await page.goto(`file://${file}`);
        await page.waitForSelector("#runs tbody tr");
        assert.equal(await page.locator("#runs tbody tr").count(), 8);
        await page.goto(`file://${file}#/run/run_resnet18`);
        await drawn(page, "accuracy");
        assert.equal(await points(page, "accuracy", "val acc"), FIXTURE_EPOCHS);
        await page.goto(`file://${file}#/suite/${SUITE_ID}`);
        await page.waitForSelector('table[data-table="table-one"] tbody tr');
        await page.goto(`file://${file}#/sweep/${SWEEP_ID}`);
        await page.waitForSelector('figure[data-chart="sweep-axis-1"][data-ready="1"]');
        assert.deepEqual(requests, []);
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
