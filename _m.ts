import { measure } from "./bench/train_measure.ts";
import { tryRegisterNative } from "./backends/native/mod.ts";
await tryRegisterNative();
console.log(await measure("baseline_cnn", "native", { batch: 64, steps: 100, log: () => {} }));
