import assert from "node:assert/strict";
import { join } from "node:path";
import { createDashboard, type Dashboard, serveDashboard } from "../../serve/mod.ts";
import { VENDOR_SCRIPTS } from "../../serve/assets.ts";
import {
  FIXTURE_EPOCHS,
  HOSTILE,
  HOSTILE_ID,
  makeRunsFolder,
  SECOND_SEED_ID,
  SUITE_ID,
} from "./_runs.ts";

async function withDashboard(
  fn: (d: Dashboard, get: (path: string) => Promise<Response>, root: string) => Promise<void>,
  poll = false,
): Promise<void> {
  const root = await makeRunsFolder();
  const d = await createDashboard({ root, poll });
  try {
    await fn(d, (path) => d.handler(new Request(`http://127.0.0.1${path}`)), root);
  } finally {
    d.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("the dashboard page loads only the app's own scripts and styles, under a strict CSP", async () => {
  await withDashboard(async (_d, get) => {
    const r = await get("/");
    assert.equal(r.status, 200);
    const html = await r.text();
    assert.match(r.headers.get("content-security-policy")!, /script-src 'self'; style-src 'self'/);
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(srcs.includes("/assets/app.js") && srcs.includes("/assets/style.css"), `${srcs}`);
    assert.deepEqual(srcs.filter((s) => !s.startsWith("/assets/") && s !== "#/"), []);
    assert.deepEqual(
      srcs.filter((s) => s.startsWith("/assets/vega") && s !== "/assets/vega_chart.js"),
      Object.keys(VENDOR_SCRIPTS).map((n) => `/assets/${n}`),
    );
    for (const s of srcs.filter((s) => s.startsWith("/assets/"))) {
      const a = await get(s);
      assert.equal(a.status, 200, s);
      const text = await a.text();
      // Vega's builds name URLs in messages and schemas; that they fetch none is the browser
      // tests' part (the offline report fails on any request). The app's own scripts name none.
      if (Object.keys(VENDOR_SCRIPTS).some((n) => s.endsWith(`/${n}`))) {
        assert.doesNotMatch(text, /^import |^export /m, s);
        continue;
      }
      assert.doesNotMatch(
        text,
        /https?:\/\/(?!www\.w3\.org\/2000\/svg|vega\.github\.io\/schema)/,
        s,
      );
    }
  });
});

Deno.test("/api/runs lists every run with its status and suite, and the suites", async () => {
  await withDashboard(async (_d, get) => {
    const body = await (await get("/api/runs")).json();
    const ids = body.runs.map((r: { id: string }) => r.id).sort();
    assert.deepEqual(ids, [
      HOSTILE_ID,
      `${SUITE_ID}/baseline_cnn`,
      `${SUITE_ID}/resnet18`,
      `${SUITE_ID}/resnet18_noskip`,
      "run_baseline_cnn",
      "run_resnet18",
      "run_resnet18_noskip",
      SECOND_SEED_ID,
    ]);
    const r18 = body.runs.find((r: { id: string }) => r.id === "run_resnet18");
    // Seeds of one recipe share a seed group; another recipe has its own.
    const group = (id: string) => body.runs.find((r: { id: string }) => r.id === id).seedGroup;
    assert.match(group("run_resnet18"), /^[0-9a-f]{16}$/);
    assert.equal(group(SECOND_SEED_ID), group("run_resnet18"));
    assert.notEqual(group("run_resnet18_noskip"), group("run_resnet18"));
    assert.equal(r18.status, "finished");
    assert.equal(r18.epochs, FIXTURE_EPOCHS);
    assert.match(r18.recipe, /adam lr 0\.001 · batch 64 · width ×0\.125/);
    const member = body.runs.find((r: { id: string }) => r.id === `${SUITE_ID}/resnet18`);
    assert.equal(member.suite, SUITE_ID);
    assert.deepEqual(body.suites, [{ id: SUITE_ID, name: SUITE_ID }]);
  });
});

Deno.test("/api/run/<id> gives a run's curves, gradients, confusion, class report and mistakes", async () => {
  await withDashboard(async (_d, get) => {
    const d = await (await get(`/api/run/${SUITE_ID}/resnet18`)).json();
    assert.equal(d.history.length, FIXTURE_EPOCHS);
    assert.ok(d.gradients.some((g: { point: string }) => g.point === "init"));
    assert.ok(d.gradients.some((g: { point: string }) => g.point === "final"));
    assert.equal(d.confusion.classNames.length, 10);
    // classes.csv is not in the fixture: the report is computed from the confusion matrix.
    assert.equal(d.classes.at(-1).class, "weighted avg");
    assert.ok(d.wrong.images.length > 0);
    assert.equal(d.timing.length, FIXTURE_EPOCHS);
    assert.match(d.config, /^name: resnet18$/m);
    assert.equal(d.suite, SUITE_ID);
  });
});

Deno.test("/api/suite/<id> gives Table I, n = 1 per model (no std), beside the paper's numbers", async () => {
  await withDashboard(async (_d, get) => {
    const s = await (await get(`/api/suite/${SUITE_ID}`)).json();
    assert.equal(s.name, "paper");
    assert.deepEqual(s.table.map((r: { model: string }) => r.model), [
      "baseline_cnn",
      "resnet18",
      "resnet18_noskip",
    ]);
    const r18 = s.table[1];
    assert.equal(r18.testAcc.n, 1);
    assert.equal(r18.testAcc.std, null);
    assert.equal(r18.paperTestAcc, 0.899);
    assert.deepEqual(r18.seeds, [1]);
  });
});

// `new Request()` resolves plain and %2e%2e dot segments itself; those are sent on the wire below.
Deno.test("the dashboard refuses '..' with an encoded '/' or '\\', links out of DIR, and writes", async () => {
  const outside = await Deno.makeTempDir();
  await Deno.writeTextFile(join(outside, "summary.json"), "{}");
  try {
    await withDashboard(async (_d, get, root) => {
      await Deno.symlink(outside, join(root, "escape"));
      for (
        const p of [
          "/api/run/..%2F..%2Fetc",
          "/api/run/%2e%2e%2f%2e%2e%2fetc",
          "/assets/..%5c..%5cdeno.json",
          "/api/run/escape",
        ]
      ) {
        const r = await get(p);
        assert.equal(r.status, 403, p);
        assert.match((await r.json()).error, /^Refused path/, p);
      }
      assert.equal((await get("/api/run/nope")).status, 404);
      assert.equal((await get("/api/suite/run_resnet18")).status, 404);
      const post = await get("/api/runs").then(() =>
        _d.handler(new Request("http://127.0.0.1/api/runs", { method: "POST" }))
      );
      assert.equal(post.status, 405);
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("serveDashboard() refuses '..' sent on the wire, plain or %2e%2e, and warns off loopback", async () => {
  const root = await makeRunsFolder();
  const lines: string[] = [];
  const s = await serveDashboard({ root, port: 0, log: (l) => lines.push(l) });
  try {
    assert.match(lines[0], /^skiplab dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    const port = Number(new URL(s.url).port);
    for (
      const path of [
        "/api/run/../../../etc/passwd",
        "/api/run/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/api/run/%2E%2E/run_resnet18",
        "/../../etc/passwd",
        "/assets/../../deno.json",
      ]
    ) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const req = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
      await conn.write(new TextEncoder().encode(req));
      const reply = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      assert.match(reply, /^HTTP\/1\.1 403/, path);
      assert.match(reply, /Refused path/, path);
    }
  } finally {
    await s.shutdown();
  }
  const warned: string[] = [];
  const open = await serveDashboard({ root, host: "0.0.0.0", port: 0, log: (l) => warned.push(l) });
  await open.shutdown();
  assert.match(warned[0], /^warning: serving on 0\.0\.0\.0, not loopback/);
  await Deno.remove(root, { recursive: true });
});

for (const poll of [false, true]) {
  Deno.test(`/api/events announces a run's new file (${poll ? "poll" : "watch"})`, async () => {
    await withDashboard(async (d, get, root) => {
      assert.equal(d.liveMode, poll ? "poll" : "watch");
      const r = await get("/api/events");
      assert.equal(r.headers.get("content-type"), "text/event-stream");
      const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
      assert.match((await reader.read()).value!, /event: hello/);
      await new Promise((res) => setTimeout(res, poll ? 1200 : 100));
      await Deno.writeTextFile(join(root, HOSTILE_ID, "history.csv"), "epoch,loss\n");
      let text = "";
      while (!/event: change/.test(text)) text += (await reader.read()).value;
      assert.match(text, /"paths":\[[^\]]*"hostile\/history\.csv"/);
      await reader.cancel();
    }, poll);
  });
}

Deno.test("run names and config values reach the client as JSON data, never markup", async () => {
  await withDashboard(async (_d, get) => {
    const r = await get(`/api/run/${HOSTILE_ID}`);
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    const d = await r.json();
    assert.equal(d.name, HOSTILE);
  });
});
