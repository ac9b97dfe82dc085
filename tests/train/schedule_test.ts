import assert from "node:assert/strict";
import { scheduledRate } from "../../train/schedule.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("scheduledRate() cosine runs from the base rate to minFactor × base", () => {
  close(scheduledRate({ type: "cosine" }, 0.1, 0, 0), 0.1);
  close(scheduledRate({ type: "cosine" }, 0.1, 0.5, 5), 0.05);
  close(scheduledRate({ type: "cosine", minFactor: 0.1 }, 0.1, 1, 10), 0.01);
});

Deno.test("scheduledRate() step multiplies by gamma every `every` epochs", () => {
  const s = { type: "step", every: 10, gamma: 0.5 } as const;
  assert.deepEqual([0, 9, 10, 25].map((e) => scheduledRate(s, 0.2, 0, e)), [0.2, 0.2, 0.1, 0.05]);
});

Deno.test("scheduledRate() one-cycle rises to the peak during warm-up, then anneals below the base", () => {
  const s = { type: "one-cycle", peakFactor: 10, warmup: 0.3 } as const;
  close(scheduledRate(s, 0.01, 0, 0), 0.01);
  close(scheduledRate(s, 0.01, 0.3, 0), 0.1);
  assert.ok(scheduledRate(s, 0.01, 0.15, 0) > 0.01 && scheduledRate(s, 0.01, 0.15, 0) < 0.1);
  close(scheduledRate(s, 0.01, 1, 0), 0.0001);
});

Deno.test("scheduledRate() constant ignores progress, and progress is clamped to [0, 1]", () => {
  assert.equal(scheduledRate({ type: "constant" }, 0.3, 0.7, 3), 0.3);
  close(scheduledRate({ type: "cosine" }, 0.1, 2, 0), 0);
  close(scheduledRate({ type: "cosine" }, 0.1, -1, 0), 0.1);
});
