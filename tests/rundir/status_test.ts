import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Heartbeat,
  readStatusFacts,
  readSummary,
  runStatus,
  type RunSummary,
  type StatusFacts,
} from "../../rundir/mod.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/run_resnet18/", import.meta.url));
const summary: RunSummary = await readSummary(join(FIXTURE, "summary.json"));
const NOW = Date.parse("2026-06-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const beat = (state: Heartbeat["state"], secondsAgo: number): Heartbeat => ({
  state,
  at: ago(secondsAgo),
  interval_s: 5,
  epoch: 3, // numbered from 1, as heartbeat.json holds it
  step: 7,
  pid: 1,
});
const facts = (over: Partial<StatusFacts>): StatusFacts => ({
  summary: undefined,
  heartbeat: undefined,
  resumable: false,
  newestWrite: NOW - 3600_000,
  longestEpochSeconds: 10,
  ...over,
});
const ended = (reason: string): RunSummary => ({
  ...summary,
  stopped_reason: reason,
  ended_at: ago(600),
});

Deno.test("runStatus() reads a finished run's summary: finished, stopped early or failed", () => {
  assert.equal(runStatus(facts({ summary: ended("completed") }), NOW).status, "finished");
  const early = runStatus(facts({ summary: ended("callbacks/early-stopping: no gain") }), NOW);
  assert.deepEqual(early, { status: "stopped early", reason: "callbacks/early-stopping: no gain" });
  const nan = ended("loss became NaN at epoch 2, step 3; stopping");
  assert.equal(runStatus(facts({ summary: nan }), NOW).status, "failed");
});

Deno.test("runStatus() is training while the heartbeat is fresh, even over an older summary", () => {
  assert.deepEqual(runStatus(facts({ heartbeat: beat("running", 4) }), NOW), {
    status: "training",
    reason: "epoch 3, step 7",
  });
  const resumed = facts({ summary: ended("completed"), heartbeat: beat("running", 4) });
  assert.equal(runStatus(resumed, NOW).status, "training");
});

Deno.test("runStatus() says a run whose heartbeat stopped is interrupted or failed, not training", () => {
  const dead = beat("running", 31);
  assert.equal(runStatus(facts({ heartbeat: dead }), NOW).status, "failed");
  assert.equal(runStatus(facts({ heartbeat: dead, resumable: true }), NOW).status, "interrupted");
  assert.equal(
    runStatus(facts({ heartbeat: beat("interrupted", 400) }), NOW).status,
    "interrupted",
  );
  const raised = runStatus(facts({ heartbeat: beat("failed", 400) }), NOW);
  assert.deepEqual(raised, { status: "failed", reason: "the training process raised an error" });
  // A resumed run that died after its first summary is not shown as its old result.
  const diedAfter = facts({ summary: ended("completed"), heartbeat: beat("running", 60) });
  assert.equal(runStatus(diedAfter, NOW).status, "failed");
});

Deno.test("runStatus() without a heartbeat judges by the newest write against the epoch length", () => {
  const recent = facts({ newestWrite: NOW - 100_000, longestEpochSeconds: 10 });
  assert.equal(runStatus(recent, NOW).status, "training");
  const slow = facts({ newestWrite: NOW - 500_000, longestEpochSeconds: 200 });
  assert.equal(runStatus(slow, NOW).status, "training");
  const old = facts({ newestWrite: NOW - 500_000, longestEpochSeconds: 10 });
  assert.equal(runStatus(old, NOW).status, "failed");
});

Deno.test("readStatusFacts() reads a fixture run (written by the real writer) as finished", async () => {
  const f = await readStatusFacts(FIXTURE, summary, [{ seconds: 2 }, { seconds: 3 }]);
  assert.equal(f.heartbeat?.state, "ended");
  assert.equal(f.longestEpochSeconds, 3);
  assert.equal(f.resumable, false);
  assert.equal(runStatus(f, Date.now()).status, "finished");
});
