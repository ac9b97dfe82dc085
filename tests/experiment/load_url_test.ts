/**
 * Experiments read from an http(s) URL, as the built-in ones are when the
 * package runs from JSR: `extends:` resolves beside the URL, and a missing
 * file is a ConfigError naming it.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError, loadExperiment } from "../../experiment/load.ts";

const EXPERIMENTS = fileURLToPath(new URL("../../experiment/builtin/", import.meta.url));

Deno.test("loadExperiment() reads a built-in experiment and its parent over HTTP", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const name = new URL(req.url).pathname.split("/").pop() ?? "";
    try {
      return new Response(await Deno.readFile(`${EXPERIMENTS}${name}`));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/pkg/experiment/builtin/`;
    const remote = await loadExperiment(`${base}resnet18.yaml`, { epochs: 2 });
    const local = await loadExperiment(`${EXPERIMENTS}resnet18.yaml`, { epochs: 2 });
    assert.deepEqual(remote, local);
    await assert.rejects(loadExperiment(`${base}missing.yaml`), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /Cannot read experiment 'http:.*missing\.yaml': HTTP 404/);
      return true;
    });
  } finally {
    await server.shutdown();
  }
});
