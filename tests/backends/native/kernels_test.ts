import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  type KernelChoice,
  type KernelSource,
  kernelSources,
  NATIVE_KERNELS,
} from "../../../backends/native/kernels.ts";
import { NATIVE_BACKEND, nativeKernelSources } from "../../../backends/native/mod.ts";
import { openDnnl } from "../../../backends/native/onednn/open.ts";
import { ignore } from "./_compare.ts";

const names = (backend: string) => tf.getKernelsForBackend(backend).map((k) => k.kernelName);

Deno.test({
  name: "NATIVE_KERNELS names every kernel the native backend serves itself, and only those",
  ignore,
  fn() {
    const registered = new Set(names(NATIVE_BACKEND));
    const cpu = new Set(names("cpu"));
    const table = Object.keys(NATIVE_KERNELS);
    assert.deepEqual(
      table.filter((name) => !registered.has(name)),
      [],
      "table kernels not registered on native",
    );
    assert.deepEqual(
      [...registered].filter((name) => !cpu.has(name) && !(name in NATIVE_KERNELS)),
      [],
      "native kernels neither the cpu's nor the table's",
    );
    const sources = nativeKernelSources();
    assert.deepEqual(new Set(sources.keys()), registered);
    for (const name of registered) {
      const want = NATIVE_KERNELS[name]?.chain[0] ?? "cpu";
      assert.equal(sources.get(name), want, `${name} is served by ${want}`);
    }
  },
});

Deno.test({
  name: "kernelSources() builds each kernel where NATIVE_KERNELS says, and no kernel it omits",
  ignore,
  fn() {
    const built = kernelSources(openDnnl(1));
    for (const [source, kernels] of Object.entries(built) as [KernelSource, object][]) {
      for (const name of Object.keys(kernels)) {
        assert.ok(
          NATIVE_KERNELS[name]?.chain.includes(source),
          `${source} builds ${name}, which the table does not send to it`,
        );
      }
    }
    for (const [name, { chain }] of Object.entries(NATIVE_KERNELS)) {
      for (const source of chain) {
        assert.equal(typeof built[source][name], "function", `${source} builds no ${name}`);
      }
    }
  },
});

Deno.test("NATIVE_KERNELS names files of backends/native, each with a reason", () => {
  for (const [name, { chain, why }] of Object.entries(NATIVE_KERNELS)) {
    assert.ok(why.length > 0, `${name} has no reason`);
    for (const source of chain) {
      const file = new URL(`../../../backends/native/${source}`, import.meta.url);
      assert.ok(Deno.statSync(file).isFile, `${name}: ${source} is no file`);
    }
  }
});

Deno.test({
  name: "kernelSources() refuses a table whose chain hands a kernel to a file without it",
  ignore,
  fn() {
    const table: Record<string, KernelChoice> = {
      Add: { chain: ["kernels/binary_onednn.ts", "kernels/conv2d.ts"], why: "a mistake" },
    };
    assert.throws(
      () => kernelSources(openDnnl(1), table),
      { message: "Native kernel table: kernels/conv2d.ts builds no 'Add' kernel" },
    );
  },
});
