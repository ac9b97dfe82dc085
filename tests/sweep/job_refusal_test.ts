/**
 * A worker takes data from the queue, never code: jobs pushed by hand to a
 * real Redis, naming a plugin file the worker was not started with or an
 * unregistered plugin, fail with the reason and import nothing, while the
 * worker goes on to train a member whose plugin file is on its allow list.
 * @module
 */
import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { cli, exists, log, type Proc, reap } from "./_procs.ts";
import { ignoreRedis, startRedis } from "./_redis.ts";
import { parseRedisUrl, QUEUE_NAME, redisConnection } from "../../sweep/queue.ts";
import { jobRefusal } from "../../tasks/commands/_job_check.ts";

const CONFIG = (plugins: string) =>
  `name: m
model: baseline_cnn
model_options: { width: 0.125 }
data: { source: synthetic, limit: 64 }
epochs: 1
batch_size: 32
plugins:
${plugins}`;

/** A plugin whose top-level code leaves a file beside itself: proof it was imported. */
const pluginText = (marker: string) =>
  `await Deno.writeTextFile(${JSON.stringify(marker)}, "ran");
export default {
  name: "probe",
  schema: { parse: (v) => v ?? {}, safeParse: (v) => ({ success: true, data: v ?? {} }) },
  create: () => ({ name: "probe" }),
};
`;

Deno.test("jobRefusal() names the rule a hostile job breaks, and passes a job of data", () => {
  const dir = (s: string, m: string) => `/runs/${s}/${m}`;
  const has = (n: string) => n === "callbacks/model-checkpoint";
  const job = (member: string, config: string) => ({ sweep: { name: "s" }, member, config });
  assert.equal(
    jobRefusal(job("a", CONFIG("  - name: callbacks/model-checkpoint")), dir, [], has),
    undefined,
  );
  assert.equal(
    jobRefusal(job("a", CONFIG("  - path: ../../ok.ts")), dir, ["/runs/ok.ts"], has),
    undefined,
  );
  assert.match(
    jobRefusal(job("a", CONFIG("  - path: /x.ts")), dir, [], has)!,
    /plugin file \/x\.ts.*--plugin-file/,
  );
  assert.match(
    jobRefusal(job("a", CONFIG("  - name: nope")), dir, [], has)!,
    /'nope'.*not a registered/,
  );
  assert.match(
    jobRefusal(job("..", CONFIG("  []")), dir, [], has)!,
    /member name "\.\." is not a plain/,
  );
  assert.match(jobRefusal(job("a/b", CONFIG("  []")), dir, [], has)!, /not a plain folder name/);
  assert.match(jobRefusal(job("a", "extends: /etc/x.yaml\n"), dir, [], has)!, /extends/);
  assert.match(jobRefusal(job("a", "a: [\n"), dir, [], has)!, /not YAML/);
  assert.match(jobRefusal({ sweep: { name: "s" }, member: "a" }, dir, [], has)!, /no config/);
});

Deno.test({
  name:
    "deno task worker fails a queued job naming an unlisted plugin file or an unknown plugin, and goes on",
  ignore: ignoreRedis,
  async fn() {
    const dir = await Deno.makeTempDir();
    const redis = await startRedis();
    const procs: Proc[] = [];
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(parseRedisUrl(redis.url)) });
    try {
      await Deno.writeTextFile(`${dir}/evil.ts`, pluginText(`${dir}/evil-ran`));
      await Deno.writeTextFile(`${dir}/good.ts`, pluginText(`${dir}/runs/s/good/good-ran`));
      const push = (member: string, plugins: string) =>
        queue.add(member, {
          sweep: {
            name: "s",
            file: `${dir}/sweep.yaml`,
            axes: [],
            overrides: {},
            members: [{ dir: member, setting: "x", seed: 0, values: {} }],
          },
          member,
          config: CONFIG(plugins),
        }, { jobId: `s/${member}`, attempts: 3 });
      await push("evil", `  - path: ${dir}/evil.ts`);
      await push("unknown", "  - name: callbacks/not-a-plugin");
      await push("good", `  - path: ${dir}/good.ts`);
      const worker = cli([
        "worker",
        "--queue",
        redis.url,
        "--runs",
        `${dir}/runs`,
        "--plugin-file",
        `${dir}/good.ts`,
        "--threads",
        "1",
        "--idle-exit",
        "3",
      ]);
      procs.push(worker);
      assert.equal(await worker.done, 0, log(worker));
      const text = log(worker);
      assert.match(
        text,
        new RegExp(
          `job s/evil refused: plugins\\[0\\] names the plugin file ${dir}/evil\\.ts, ` +
            "which this worker was not started with",
        ),
      );
      assert.match(text, /job s\/unknown refused: plugins\[0\] names 'callbacks\/not-a-plugin'/);
      assert.equal(
        await exists(`${dir}/evil-ran`),
        false,
        "the unlisted plugin was never imported",
      );
      assert.equal(await exists(`${dir}/runs/s/evil`), false, "nothing written for a refused job");
      // Refused for good: not retried.
      assert.equal(await (await queue.getJob("s/evil"))!.getState(), "failed");
      assert.equal((await queue.getJob("s/evil"))!.attemptsMade, 1);
      assert.ok(await exists(`${dir}/runs/s/good/summary.json`), text);
      assert.ok(await exists(`${dir}/runs/s/good/good-ran`), "the listed plugin file ran");
    } finally {
      await queue.close();
      for (const p of procs) await reap(p);
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
