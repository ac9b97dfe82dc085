import assert from "node:assert/strict";
import { main } from "../../tasks/cli.ts";
import { ConfigError } from "../../experiment/load.ts";
import { parseRedisUrl } from "../../sweep/queue.ts";

Deno.test("parseRedisUrl() reads host, port, database and credentials, and names a bad value", () => {
  assert.deepEqual(parseRedisUrl("redis://q.lab:6380/2"), { host: "q.lab", port: 6380, db: 2 });
  assert.deepEqual(parseRedisUrl("redis://u:p%40ss@10.0.0.5"), {
    host: "10.0.0.5",
    port: 6379,
    db: 0,
    username: "u",
    password: "p@ss",
  });
  assert.throws(() => parseRedisUrl("q.lab:6379"), /--queue: expected redis:\/\/HOST:PORT/);
  assert.throws(() => parseRedisUrl("http://q.lab:6379"), /got 'http:\/\/q\.lab:6379'/);
  assert.throws(() => parseRedisUrl("redis://q.lab/x"), /\[\/DB\]/);
});

Deno.test("sweep --queue and worker fail at once, naming the address, when no Redis answers there", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close(); // nothing listens there now
  const url = `redis://127.0.0.1:${port}`;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/base.yaml`, "name: b\nmodel: baseline_cnn\n");
    await Deno.writeTextFile(`${dir}/s.yaml`, "name: s\nexperiment: base.yaml\nseeds: 2\n");
    for (
      const args of [["sweep", `${dir}/s.yaml`, "--queue", url], [
        "worker",
        "--queue",
        url,
        "--runs",
        dir,
      ]]
    ) {
      await assert.rejects(() => main(args), (e: Error) => {
        assert.ok(e instanceof ConfigError, e.message);
        assert.match(e.message, new RegExp(`Cannot reach the queue at ${url}: .*ECONNREFUSED`));
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
