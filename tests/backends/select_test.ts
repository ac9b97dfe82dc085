import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BACKEND_CANDIDATES,
  BACKEND_NAMES,
  type BackendCandidate,
  selectBackend,
} from "../../backends/mod.ts";
import { NativeUnavailableError, tryRegisterNative } from "../../backends/native/mod.ts";
import { UserError } from "../../core/errors.ts";
import { failure } from "./native/_failure.ts";

const native = await tryRegisterNative();

Deno.test("selectBackend() rejects an unknown name with a RangeError listing the valid ones", async () => {
  await assert.rejects(
    () => selectBackend("wasmm" as "wasm"),
    (e: Error) =>
      e instanceof RangeError && e.message.includes('"wasmm"') &&
      BACKEND_NAMES.every((n) => e.message.includes(n)),
  );
  await assert.rejects(() => selectBackend(3 as unknown as "wasm"), TypeError);
});

Deno.test("selectBackend('native') runs on oneDNN when it is installed, else says how to install it", async () => {
  if (native.ok) {
    const info = await selectBackend("native");
    assert.equal(info.name, "native");
    assert.equal(tf.getBackend(), "native");
    assert.match(info.detail ?? "", /^oneDNN \d+\.\d+/);
  } else {
    await assert.rejects(() => selectBackend("native"), { message: /apt-get install libdnnl/ });
  }
});

Deno.test("selectBackend('tensorflow') fails fast with install instructions when tfjs-node is absent", async () => {
  await assert.rejects(() => selectBackend("tensorflow"), (e: Error) => {
    for (
      const needle of [
        "@tensorflow/tfjs-node-gpu: not in the imports of deno.json",
        "@tensorflow/tfjs-node: not in the imports of deno.json",
        '"@tensorflow/tfjs-node": "npm:@tensorflow/tfjs-node@4.22.0"',
        "CUDA 11.2 and cuDNN 8.1",
        "--allow-scripts=npm:@tensorflow/tfjs-node",
      ]
    ) assert.ok(e.message.includes(needle), `missing "${needle}" in: ${e.message}`);
    return true;
  });
});

Deno.test("selectBackend('cpu') activates cpu and says it was requested", async () => {
  const info = await selectBackend("cpu");
  assert.deepEqual([info.name, info.requested, info.reason], ["cpu", "cpu", "cpu: requested"]);
  assert.equal(tf.getBackend(), "cpu");
});

Deno.test("selectBackend('auto') skips candidates that cannot run and names why", async () => {
  const failing = (name: BackendCandidate["name"], why: string): BackendCandidate => ({
    name,
    activate: () => Promise.reject(new Error(`${why}.\nHow to fix it.`)),
  });
  const candidates: BackendCandidate[] = [
    failing("native", "No oneDNN"),
    failing("tensorflow", "No libtensorflow"),
    { name: "cpu", activate: async () => (await tf.setBackend("cpu"), "pure JavaScript") },
  ];
  const info = await selectBackend("auto", { candidates });
  assert.equal(info.name, "cpu");
  assert.equal(info.requested, "auto");
  assert.equal(info.detail, "pure JavaScript");
  assert.equal(
    info.reason,
    "cpu: the only backend that can run here " +
      "(native not available: no oneDNN; tensorflow not available: no libtensorflow)",
  );
});

Deno.test("selectBackend('auto') picks native with oneDNN, else wasm, and says why", async () => {
  assert.deepEqual(BACKEND_CANDIDATES.map((c) => c.name), [
    "native",
    "tensorflow",
    "webgpu",
    "wasm",
    "cpu",
  ]);
  const info = await selectBackend("auto");
  if (native.ok) {
    assert.equal(info.name, "native");
    assert.match(info.reason, /^native: fastest backend that can train here$/);
  } else {
    assert.equal(info.name, "wasm");
    assert.match(
      info.reason,
      /^wasm: fastest backend that can train here \(native not available: /,
    );
    assert.match(info.detail ?? "", /Conv2DBackpropFilter/);
  }
});

Deno.test("selectBackend('native') fails with the explanation, a user error, and never falls back", async () => {
  const candidates = [
    {
      name: "native" as const,
      activate: () => Promise.reject(new NativeUnavailableError(failure)),
    },
    { name: "cpu" as const, activate: () => Promise.resolve("cpu") },
  ];
  await assert.rejects(selectBackend("native", { candidates }), (e: Error) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /tried libdnnl.so.3, libdnnl.so.2: not found/);
    return true;
  });
});

Deno.test("selectBackend('auto') says why native failed and what the backend that runs costs", async () => {
  const candidates = [
    {
      name: "native" as const,
      activate: () => Promise.reject(new NativeUnavailableError(failure)),
    },
    { name: "cpu" as const, activate: () => Promise.resolve("cpu") },
  ];
  const info = await selectBackend("auto", { candidates });
  const lines = info.reason.split("\n");
  assert.match(lines[0], /^cpu: .*native not available: the native backend cannot load/);
  assert.ok(lines.some((l) => /install: /.test(l)));
  assert.match(lines.at(-1)!, /cpu trains about 91× slower than native/);
});
