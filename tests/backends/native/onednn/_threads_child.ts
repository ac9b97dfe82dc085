/**
 * Child process of threads_test.ts: prints, as JSON, how many cores this
 * process used while a convolution built for every thread ran with the
 * threads pinned to one. A process of its own, since test modules under
 * `--parallel` share one, and with it `process.cpuUsage()`.
 *
 * @module
 */
import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND, tryRegisterNative } from "../../../../backends/native/mod.ts";
import { currentThreads } from "../../../../backends/native/onednn/threads.ts";

const status = await tryRegisterNative();
if (!status.ok) throw new Error(status.reason);
await tf.setBackend(NATIVE_BACKEND);
const threads = currentThreads()!;
const big = tf.randomUniform([32, 32, 32, 64], -1, 1, "float32", 3) as tf.Tensor4D;
const filter = tf.randomUniform([3, 3, 64, 64], -1, 1, "float32", 4) as tf.Tensor4D;
tf.conv2d(big, filter, 1, "same").dispose(); // its primitive, built for every thread
const wide = threads.count;
threads.pin(1);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
while (performance.now() - t0 < 600) tf.conv2d(big, filter, 1, "same").dispose();
const used = process.cpuUsage(cpu0);
const share = (used.user + used.system) / 1000 / (performance.now() - t0);
console.log(JSON.stringify({ wide, pinned: threads.count, share }));
