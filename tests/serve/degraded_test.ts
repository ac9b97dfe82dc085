/**
 * A dashboard over hostile or damaged folders: one damaged run never hides
 * the healthy ones, a very long history never overflows the stack, and a
 * loopback dashboard answers only requests addressed to a loopback name.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createDashboard, serveDashboard } from "../../serve/mod.ts";
import { HOSTILE_ID, makeRunsFolder } from "./_runs.ts";

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await makeRunsFolder();
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("/api/runs lists a run with a truncated summary.json as damaged, beside every healthy run", async () => {
  await withRoot(async (root) => {
    const summary = join(root, "run_resnet18", "summary.json");
    const text = await Deno.readTextFile(summary);
    await Deno.writeTextFile(summary, text.slice(0, text.length / 2));
    const d = await createDashboard({ root });
    try {
      const get = (p: string) => d.handler(new Request(`http://127.0.0.1${p}`));
      const r = await get("/api/runs");
      assert.equal(r.status, 200);
      const { runs } = await r.json();
      const damaged = runs.find((x: { id: string }) => x.id === "run_resnet18");
      assert.equal(damaged.status, "damaged");
      assert.match(damaged.statusReason, /summary\.json/);
      const healthy = runs.filter((x: { status: string }) => x.status !== "damaged");
      assert.equal(healthy.length, runs.length - 1, "every other run still shows");
      assert.ok(healthy.some((x: { id: string }) => x.id === "run_baseline_cnn"));
      const page = await get("/api/run/run_resnet18");
      assert.equal(page.status, 200);
      const detail = await page.json();
      assert.equal(detail.status, "damaged");
      assert.match(detail.statusReason, /summary\.json/);
    } finally {
      d.close();
    }
  });
});

Deno.test("/api/run/<id> of a run with a 130,000-row history.csv answers, without overflowing the stack", async () => {
  await withRoot(async (root) => {
    const file = join(root, HOSTILE_ID, "history.csv");
    const [head, row] = (await Deno.readTextFile(file)).trim().split("\n");
    const cols = head.split(",");
    const rows = Array.from({ length: 130_000 }, (_, i) => {
      const cells = row.split(",");
      cells[cols.indexOf("epoch")] = String(i + 1);
      return cells.join(",");
    });
    await Deno.writeTextFile(file, [head, ...rows].join("\n") + "\n");
    const d = await createDashboard({ root });
    try {
      const get = (p: string) => d.handler(new Request(`http://127.0.0.1${p}`));
      for (const path of ["/api/runs", `/api/run/${HOSTILE_ID}`]) {
        const r = await get(path);
        const body = await r.json();
        assert.equal(r.status, 200, `${path}: ${JSON.stringify(body).slice(0, 200)}`);
      }
      const detail = await (await get(`/api/run/${HOSTILE_ID}`)).json();
      assert.notEqual(detail.status, "damaged", detail.statusReason);
      assert.equal(detail.history.length, 130_000);
    } finally {
      d.close();
    }
  });
});

Deno.test("serveDashboard() on loopback refuses a Host that is not a loopback name (DNS rebinding)", async () => {
  await withRoot(async (root) => {
    const s = await serveDashboard({ root, port: 0, log: () => {} });
    try {
      const port = new URL(s.url).port;
      const ask = async (host: string) => {
        // fetch() sets Host itself: a raw request sends the one a rebinding page would.
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
        const req = `GET /api/runs HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
        await conn.write(new TextEncoder().encode(req));
        const text = await new Response(conn.readable).text();
        return Number(text.split(" ")[1]);
      };
      assert.equal(await ask("evil.example:" + port), 403);
      assert.equal(await ask("evil.example"), 403);
      assert.equal(await ask("127.0.0.1.evil.example"), 403);
      for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "localhost"]) {
        assert.equal(await ask(ok), 200, ok);
      }
    } finally {
      await s.shutdown();
    }
  });
});
