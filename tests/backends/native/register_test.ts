import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND, tryRegisterNative } from "../../../backends/native/mod.ts";
import { ignore } from "./_compare.ts";

Deno.test({
  name: "tryRegisterNative() registers the native backend once and reports the oneDNN it opened",
  ignore,
  async fn() {
    const first = await tryRegisterNative();
    const second = await tryRegisterNative();
    assert.equal(second, first);
    assert.ok(first.ok);
    assert.match(first.version, /^(2|3)\.\d+\.\d+$/);
    assert.equal(first.api, Number(first.version[0]));
    // CI's second pass names the 3.7 build: that, not the system's 2.x, must be what runs.
    const named = Deno.env.get("SKIPLAB_DNNL");
    if (named) assert.equal(first.library, named);
    assert.match(first.conv ?? "", /\w+:\w+/);
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
    assert.match(status.reason, /apt-get install libdnnl/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
