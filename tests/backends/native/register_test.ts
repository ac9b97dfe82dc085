import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND, tryRegisterNative } from "../../../backends/native/mod.ts";
import { ignore } from "./_compare.ts";

Deno.test({
  name: "tryRegisterNative() registers the native backend once and reports oneDNN 2.x",
  ignore,
  async fn() {
    const first = await tryRegisterNative();
    const second = await tryRegisterNative();
    assert.equal(second, first);
    assert.ok(first.ok);
    assert.match(first.version, /^2\.\d+\.\d+$/);
    assert.ok(first.threads >= 1);
    assert.ok(tf.findBackendFactory(NATIVE_BACKEND) !== null);
    assert.ok(tf.getKernel("Conv2D", NATIVE_BACKEND) !== undefined);
    assert.ok(tf.getKernel("Cumsum", NATIVE_BACKEND) !== undefined, "cpu kernels are copied");
  },
});

Deno.test("tryRegisterNative() says how to install oneDNN when FFI is not allowed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    const target = new URL("../../../backends/native/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { tryRegisterNative } from "${target}";\nconsole.log(JSON.stringify(await tryRegisterNative()));\n`,
    );
    const config = new URL("../../../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--config", config, "--allow-read", "--allow-env", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    const status = JSON.parse(lines[lines.length - 1]);
    assert.equal(status.ok, false);
    assert.match(status.reason, /--allow-ffi/);
    assert.match(status.reason, /apt-get install libdnnl2/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
