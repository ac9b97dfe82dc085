import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND, tryRegisterNative } from "../../../../backends/native/mod.ts";
import {
  chooseWaitPolicy,
  currentThreads,
  othersLoad,
  sampleCpu,
  threadCount,
  Threads,
  threadsForLoad,
} from "../../../../backends/native/onednn/threads.ts";
import { ignore } from "../_compare.ts";
import { busyProcesses } from "../../../../bench/busy.ts";

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const cores = navigator.hardwareConcurrency;

/** An OpenMP stand-in that records the thread counts set. */
function recordingOmp(start: number) {
  const set: number[] = [];
  let now = start;
  return {
    set,
    omp: {
      omp_set_num_threads: (n: number) => void set.push(now = n),
      omp_get_max_threads: () => now,
    },
  };
}

Deno.test("threadsForLoad() leaves a thread per free core, at least one and at most the wanted", () => {
  assert.equal(threadsForLoad(2, 2, 0.05), 2);
  assert.equal(threadsForLoad(2, 2, 0.67), 1, "a spinning pair beside one busy process");
  assert.equal(threadsForLoad(2, 2, 1), 1);
  assert.equal(threadsForLoad(2, 2, 2.5), 1);
  assert.equal(threadsForLoad(4, 16, 3), 4);
  assert.equal(threadsForLoad(8, 8, 2.9), 5);
});

Deno.test("othersLoad() is the CPU time of all processes but this one, per wall second", () => {
  const a = { at: 1000, all: 5000, own: 700 };
  assert.equal(othersLoad(a, { at: 2000, all: 6500, own: 1700 }), 0.5);
  assert.equal(othersLoad(a, { at: 1500, all: 5500, own: 1200 }), 0, "only this process ran");
  assert.equal(othersLoad(a, a), 0);
});

Deno.test("sampleCpu() sees a busy process's core", async () => {
  const stop = busyProcesses(1);
  try {
    await sleep(100);
    const a = sampleCpu();
    assert.ok(a !== undefined, "the test runs with --allow-sys");
    await sleep(600);
    const others = othersLoad(a, sampleCpu()!);
    // The child holds most of a core (more when other tests run beside it).
    assert.ok(others > 0.6, `others held ${others.toFixed(2)} cores`);
  } finally {
    await stop();
  }
});

Deno.test("chooseWaitPolicy() keeps the user's policy, spins one thread, sleeps on busy cores", async () => {
  assert.equal(await chooseWaitPolicy(1), "spin");
  const stop = busyProcesses(cores);
  try {
    await sleep(100);
    assert.equal(await chooseWaitPolicy(cores, 300), "passive");
  } finally {
    await stop();
  }
  Deno.env.set("GOMP_SPINCOUNT", "1000");
  try {
    assert.equal(await chooseWaitPolicy(cores), "user");
  } finally {
    Deno.env.delete("GOMP_SPINCOUNT");
  }
});

Deno.test("Threads: spinning threads drop to one while other processes hold the cores, and return", async () => {
  const busy = recordingOmp(2);
  const threads = new Threads(2, "spin", busy.omp, true, 2);
  assert.equal(threads.count, 2);
  const stop = busyProcesses(2);
  try {
    threads.tick(); // within a second of the first look: nothing
    assert.equal(threads.count, 2);
    await sleep(1100);
    threads.tick();
    assert.equal(threads.count, 1, "two busy processes on two cores leave one thread");
  } finally {
    await stop();
  }
  // On a machine with many more cores than busy processes, the threads come back.
  const free = recordingOmp(2);
  const roomy = new Threads(2, "spin", free.omp, true, 64);
  roomy.resize(1);
  await sleep(1100);
  roomy.tick();
  assert.equal(roomy.count, 2);
  assert.deepEqual(free.set, [2, 1, 2]);
  // Passive threads keep their count: sleeping threads take no core from a partner.
  const passive = recordingOmp(2);
  const still = new Threads(2, "passive", passive.omp, true, 2);
  await sleep(1100);
  still.tick();
  assert.deepEqual(passive.set, [2]);
  // Without the opt-in (the default) the count never follows: runs stay bit-reproducible.
  const fixed = recordingOmp(2);
  const steady = new Threads(2, "spin", fixed.omp, false, 64);
  steady.resize(1);
  await sleep(1100);
  steady.tick();
  assert.deepEqual(fixed.set, [2, 1]);
});

Deno.test({
  name: "native kernels run on a new thread count at once, with the same results",
  ignore,
  async fn() {
    const status = await tryRegisterNative();
    assert.ok(status.ok);
    assert.ok(["spin", "passive", "user"].includes(status.waitPolicy));
    assert.equal(Deno.env.get("GOMP_SPINCOUNT"), undefined, "the policy's variable is removed");
    await tf.setBackend(NATIVE_BACKEND);
    const threads = currentThreads()!;
    const before = threads.count;
    const x = tf.randomUniform([4, 16, 16, 8], -1, 1, "float32", 1);
    const w = tf.randomUniform([3, 3, 8, 16], -1, 1, "float32", 2);
    const conv = () =>
      tf.tidy(() => tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same")));
    const wide = await conv().data();
    try {
      threads.pin(1);
      assert.equal(threadCount(), 1);
      const one = await conv().data();
      let worst = 0;
      for (let i = 0; i < wide.length; i++) worst = Math.max(worst, Math.abs(wide[i] - one[i]));
      assert.ok(worst < 1e-5, `1-thread result differs by ${worst}`);
    } finally {
      threads.pin(undefined);
      threads.resize(before);
      tf.dispose([x, w]);
    }
  },
});

Deno.test({
  name: "native kernels pinned to one thread use one core, also primitives built for more",
  ignore,
  async fn() {
    const child = new URL("./_threads_child.ts", import.meta.url);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", "--allow-read", "--allow-env", "--allow-sys", child.href],
    }).output();
    const text = new TextDecoder();
    assert.equal(code, 0, text.decode(stderr));
    const report = JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!);
    assert.equal(report.pinned, 1);
    // Two threads keep two cores busy (2.0 here); other processes can only lower the share.
    assert.ok(report.share < 1.35, `one thread used ${report.share.toFixed(2)} cores`);
  },
});
