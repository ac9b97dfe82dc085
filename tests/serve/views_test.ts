/**
 * The API of the suite and sweep pages: bands over seeds and the skip
 * effects from analysis/, a sweep's best setting and its members kept out of
 * the flat runs table.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSuite } from "../../rundir/mod.ts";
import { createDashboard } from "../../serve/mod.ts";
import { copyDir, FIXTURES, makeRunsFolder, SWEEP_ID, SWEEP_MEMBERS } from "./_runs.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function withApi(
  fn: (get: (path: string) => Promise<Json>, root: string) => Promise<void>,
  prepare: (root: string) => Promise<void> = async () => {},
): Promise<void> {
  const root = await makeRunsFolder();
  await prepare(root);
  const d = await createDashboard({ root });
  try {
    await fn(async (path) => {
      const r = await d.handler(new Request(`http://127.0.0.1${path}`));
      assert.equal(r.status, 200, path);
      return await r.json();
    }, root);
  } finally {
    d.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** A suite of two settings, two seeds each (copies of fixture runs): `seeds2`. */
async function twoSeedSuite(root: string): Promise<void> {
  const members = ["run_resnet18", "run_resnet18_noskip"].flatMap((run) =>
    [0, 1].map((seed) => ({ run, setting: run.replace(/^run_/, ""), seed }))
  );
  for (const m of members) {
    await copyDir(join(FIXTURES, m.run), join(root, "seeds2", `${m.setting}-${m.seed}`));
  }
  await writeSuite(join(root, "seeds2"), {
    name: "seeds2",
    members: members.map((m) => ({
      dir: `${m.setting}-${m.seed}`,
      file: `${m.setting}.yaml`,
      setting: m.setting,
      seed: m.seed,
      overrides: {},
    })),
    overrides: {},
  });
}

Deno.test("/api/runs keeps sweep members out of the runs and lists the sweep with its statuses", async () => {
  await withApi(async (get) => {
    const body = await get("/api/runs") as { runs: { id: string }[]; sweeps: unknown[] };
    assert.ok(body.runs.every((r) => !r.id.startsWith(`${SWEEP_ID}/`)));
    assert.deepEqual(body.sweeps, [{
      id: SWEEP_ID,
      name: SWEEP_ID,
      members: SWEEP_MEMBERS.length,
      statuses: { finished: SWEEP_MEMBERS.length },
    }]);
  });
});

Deno.test("/api/sweep/<id> gives the best setting, a row per setting and a chart per swept key", async () => {
  await withApi(async (get) => {
    const s = await get(`/api/sweep/${SWEEP_ID}`) as Json;
    assert.deepEqual(s.axes, ["optimizer.lr"]);
    assert.deepEqual(
      s.members.map((m: { id: string }) => m.id),
      SWEEP_MEMBERS.map((m) => `${SWEEP_ID}/${m.setting}`),
    );
    assert.ok(s.members.every((m: { status: string }) => m.status === "finished"));
    const best = s.table.reduce((
      a: Json,
      b: Json,
    ) => (b.best_val_acc_mean > a.best_val_acc_mean ? b : a));
    assert.equal(s.best, best.setting);
    assert.match(s.bestText, new RegExp(`^Best setting .*: ${best.setting} — `));
    assert.equal(s.table[0].n, 1);
    assert.equal(s.table[0].test_acc_std, null);
    assert.deepEqual(s.charts.map((c: { id: string }) => c.id), ["sweep-axis-1"]);
    assert.equal(s.charts[0].spec.data.values.length, 2 * SWEEP_MEMBERS.length);
  });
});

Deno.test("/api/suite/<id> of two seeds gives one band per setting and the skip effect's interval", async () => {
  await withApi(async (get) => {
    const s = await get("/api/suite/seeds2") as Json;
    assert.deepEqual(s.table.map((r: { setting: string }) => r.setting), [
      "resnet18",
      "resnet18_noskip",
    ]);
    assert.deepEqual(s.charts.map((c: { id: string }) => c.id), [
      "effects",
      "suite-train",
      "suite-val",
      "suite-gradients",
    ]);
    const values = s.charts[1].spec.data.values as {
      run: string;
      n: number;
      low: number | null;
      member?: string;
    }[];
    // The means with their bands, and each seed's own values for "show each seed".
    const rows = values.filter((r) => r.member === undefined);
    assert.deepEqual([...new Set(rows.map((r) => r.run))], ["resnet18", "resnet18_noskip"]);
    assert.ok(rows.every((r) => r.n === 2 && typeof r.low === "number"));
    assert.equal(values.length, 3 * rows.length);
    assert.deepEqual(s.charts[1].spec.params, [{ name: "seeds", value: false }]);
    assert.equal(s.effects.length, 1);
    assert.match(s.effects[0], /^ResNet-18 − no-skip .*: [+−]\d+\.\d\d points, /);
  }, twoSeedSuite);
});
