/**
 * A queue that loses every job mid-sweep (Redis emptied, as a restart without
 * persistence would leave it): the waiting `sweep --queue` adds the lost jobs
 * again, and the lock file in each run directory keeps the worker still
 * training a member and a worker given its re-added job from training it twice.
 * @module
 */
import assert from "node:assert/strict";
import { cli, exists, history, log, type Proc, reap, TINY_BASE, until } from "./_procs.ts";
import { ignoreRedis, startRedis } from "./_redis.ts";

const MEMBERS = ["base_seed-0", "base_seed-1", "base_seed-2"];

Deno.test({
  name: "a sweep whose queue lost its jobs re-adds them, and no member is trained twice",
  ignore: ignoreRedis,
  async fn() {
    const dir = await Deno.makeTempDir();
    const redis = await startRedis();
    const procs: Proc[] = [];
    try {
      await Deno.writeTextFile(`${dir}/base.yaml`, TINY_BASE);
      await Deno.writeTextFile(`${dir}/sweep.yaml`, "name: l\nexperiment: base.yaml\nseeds: 3\n");
      const worker = () =>
        cli([
          "worker",
          ...["--queue", redis.url, "--runs", `${dir}/shared`, "--threads", "1"],
          ...["--lock-seconds", "3", "--idle-exit", "8"],
        ]);
      const sweep = cli(["sweep", `${dir}/sweep.yaml`, "--queue", redis.url]);
      const workers = [worker(), worker()];
      procs.push(sweep, ...workers);
      const runs = MEMBERS.map((m) => `${dir}/shared/l/${m}`);
      // Empty Redis once a member has finished and another is half-way.
      await until("a finished member and one half-way", async () => {
        const done = await Promise.all(runs.map((r) => exists(`${r}/summary.json`)));
        const rows = await Promise.all(runs.map((r) => history(r).then((h) => h.length, () => 0)));
        return done.some((d) => d) && rows.some((n, i) => n >= 1 && n < 3 && !done[i]);
      });
      await redis.flushAll();

      assert.equal(await sweep.done, 0, log(sweep));
      for (const w of workers) assert.equal(await w.done, 0, log(w));
      const lines = workers.flatMap((w) => w.lines.map((l) => l.text));
      for (const [i, m] of MEMBERS.entries()) {
        const summary = JSON.parse(await Deno.readTextFile(`${runs[i]}/summary.json`));
        assert.equal(summary.epochs_run, 3);
        assert.deepEqual((await history(runs[i])).map((r) => r[0]), ["1", "2", "3"]);
        const count = (s: string) => lines.filter((l) => l.endsWith(`member ${m}: ${s}`)).length;
        assert.equal(count("finished"), 1, `${m} finished once\n${lines.join("\n")}`);
        assert.equal(
          lines.filter((l) => l.includes(`member ${m}: start`)).length,
          1,
          `${m} trained once`,
        );
      }
      assert.ok(
        lines.some((l) => /already finished/.test(l)),
        "a re-added finished job did nothing",
      );
      if (Deno.env.get("SWEEP_TEST_LOG")) console.log(`${log(sweep)}\n${lines.join("\n")}`);
      assert.equal(lines.filter((l) => /all 3 members done; report\.md written/.test(l)).length, 1);
    } finally {
      for (const p of procs) await reap(p);
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
