/**
 * A miniature sweep (2 settings × 2 seeds, synthetic data, a tiny CNN) trained
 * twice: locally with `--workers 2`, and through a real Redis by two worker
 * processes, one of them killed with SIGKILL in the middle of a member, Redis
 * restarted meanwhile. Every member must finish exactly once with the history
 * the local run gave, and the sweep's report be written once.
 * @module
 */
import assert from "node:assert/strict";
import { cli, exists, history, log, type Proc, reap, TINY_BASE, until } from "./_procs.ts";
import { ignoreRedis, startRedis } from "./_redis.ts";

const SWEEP = `name: q
experiment: base.yaml
grid:
  optimizer.lr: [0.001, 0.003]
seeds: 2
`;
const MEMBERS = [
  "lr-0.001_seed-0",
  "lr-0.001_seed-1",
  "lr-0.003_seed-0",
  "lr-0.003_seed-1",
];
Deno.test({
  name:
    "a queued sweep survives a worker killed mid-member and a Redis restart, each member trained once",
  ignore: ignoreRedis,
  async fn() {
    const dir = await Deno.makeTempDir();
    const redis = await startRedis();
    const procs: Proc[] = [];
    try {
      await Deno.writeTextFile(`${dir}/base.yaml`, TINY_BASE);
      await Deno.writeTextFile(`${dir}/sweep.yaml`, SWEEP);
      // The reference: the same sweep trained here, two members side by side, one thread each.
      const local = cli(["sweep", `${dir}/sweep.yaml`, "--out", `${dir}/local`, "--workers", "2"]);
      assert.equal(await local.done, 0, log(local));
      assert.match(log(local), /4 of 4 members to train, 2 at a time, 1 thread\(s\) each/);

      const worker = () =>
        cli([
          "worker",
          "--queue",
          redis.url,
          "--runs",
          `${dir}/shared`,
          "--threads",
          "1",
          "--lock-seconds",
          "3",
          "--idle-exit",
          "8",
        ]);
      const sweep = cli(["sweep", `${dir}/sweep.yaml`, "--queue", redis.url]);
      const [w1, w2] = [worker(), worker()];
      procs.push(sweep, w1, w2);

      // Kill the first worker once its member has finished an epoch, and not the last one.
      let victim = "";
      await until("the first worker to start a member", () => {
        const m = w1.lines.map((l) => /member (\S+): start/.exec(l.text)).find((x) => x);
        victim = m?.[1] ?? "";
        return victim !== "";
      });
      const run = `${dir}/shared/q/${victim}`;
      await until(
        `an epoch of ${victim}`,
        async () => await exists(`${run}/history.csv`) && (await history(run)).length >= 1,
      );
      assert.equal(await exists(`${run}/summary.json`), false, "killed in the middle");
      w1.child.kill("SIGKILL");
      const killedAt = Date.now();
      assert.equal(await w1.done, 137);

      // Redis goes down and comes back (its append-only file keeps the queue).
      await redis.restart();

      assert.equal(await sweep.done, 0, log(sweep));
      assert.equal(await w2.done, 0, log(w2));

      const localRuns = `${dir}/local/q`, shared = `${dir}/shared/q`;
      for (const m of MEMBERS) {
        assert.ok(await exists(`${shared}/${m}/summary.json`), `${m} finished`);
        assert.deepEqual(await history(`${shared}/${m}`), await history(`${localRuns}/${m}`), m);
        const finished = [...w1.lines, ...w2.lines].filter((l) =>
          l.text.endsWith(`member ${m}: finished`)
        );
        assert.equal(finished.length, 1, `${m} finished once:\n${log(w1)}\n${log(w2)}`);
      }
      // The victim was taken over only after its worker died, and resumed from its checkpoint.
      const takeover = w2.lines.find((l) => l.text.endsWith(`member ${victim}: start`) || false) ??
        w2.lines.find((l) => l.text.includes(`member ${victim}: start`));
      assert.ok(takeover && takeover.at > killedAt, `${victim} restarted after the kill`);
      const fresh = w2.lines.filter((l) =>
        l.text.includes(`[${victim}]`) && /no checkpoint yet/.test(l.text)
      );
      assert.deepEqual(
        fresh,
        [],
        `resumed from checkpoints/last, not started again:\n${log(w1)}\n${log(w2)}`,
      );
      assert.ok(!(await exists(`${run}/.lock`)), "the lock was released");

      // The report, once, with the numbers of the member runs.
      const reports = w2.lines.filter((l) => /all 4 members done; report\.md written/.test(l.text));
      assert.equal(reports.length, 1);
      const [head, ...rows] = (await Deno.readTextFile(`${shared}/sweep.csv`)).trim().split("\n")
        .map((l) => l.split(","));
      assert.equal(rows.length, 2);
      const col = (r: string[], c: string) => Number(r[head.indexOf(c)]);
      for (const [i, lr] of ["0.001", "0.003"].entries()) {
        const accs = await Promise.all(
          [0, 1].map(async (s) =>
            JSON.parse(await Deno.readTextFile(`${shared}/lr-${lr}_seed-${s}/summary.json`))
              .test_acc
          ),
        );
        assert.equal(col(rows[i], "n"), 2);
        assert.ok(Math.abs(col(rows[i], "test_acc_mean") - (accs[0] + accs[1]) / 2) < 1e-9);
        assert.ok(
          Math.abs(col(rows[i], "test_acc_std") - Math.abs(accs[0] - accs[1]) / Math.SQRT2) < 1e-9,
        );
      }
      assert.match(await Deno.readTextFile(`${shared}/report.md`), /Best setting/);
      if (Deno.env.get("SWEEP_TEST_LOG")) console.log(`${log(sweep)}\n${log(w1)}\n${log(w2)}`);
      assert.ok(await exists(`${shared}/figures/sweep_1_optimizer.lr.svg`));
    } finally {
      for (const p of procs) await reap(p);
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
