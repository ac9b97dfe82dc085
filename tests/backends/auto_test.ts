import assert from "node:assert/strict";
import { chooseFastest, formatAutoTable, type TimeCandidate } from "../../backends/auto.ts";
import { isaOfFlags } from "../../backends/cpu_facts.ts";
import type { BackendFacts } from "../../backends/facts.ts";

const fact = (name: BackendFacts["name"], more: Partial<BackendFacts> = {}): BackendFacts => ({
  name,
  available: true,
  version: `${name} 1.0`,
  device: "test CPU",
  software: false,
  ...more,
});

/** A timing that honours its limit as measureThroughput does: a rate under minRate is cut. */
function fakeTimes(rates: Record<string, number>, seen: string[]): TimeCandidate {
  return (name, limit) => {
    seen.push(`${name}:${limit.minRate ?? "-"}`);
    const rate = rates[name];
    if (rate === undefined) return Promise.reject(new Error(`${name} broke\nmore text`));
    return Promise.resolve(
      limit.minRate !== undefined && rate < limit.minRate
        ? { rate, cut: `${rate} images/s, under ${limit.minRate}` }
        : { rate },
    );
  };
}

Deno.test("chooseFastest() picks the fastest timed backend and cuts one far slower than the best so far", async () => {
  const seen: string[] = [];
  const facts = [fact("native"), fact("wasm"), fact("cpu")];
  const d = await chooseFastest(facts, fakeTimes({ native: 300, wasm: 40, cpu: 200 }, seen));
  assert.equal(d.choice, "native");
  // Each later candidate is timed against a third of the best so far.
  assert.deepEqual(seen, ["native:-", "wasm:100", "cpu:100"]);
  assert.match(d.rows[1].note ?? "", /stopped early: 40 images\/s, under 100/);
  assert.equal(d.rows[2].note, undefined);
});

Deno.test("chooseFastest() picks a later backend when it measures faster than the first", async () => {
  const d = await chooseFastest(
    [fact("native"), fact("webgpu", { device: "NVIDIA RTX" }), fact("wasm")],
    fakeTimes({ native: 100, webgpu: 900, wasm: 20 }, []),
  );
  assert.equal(d.choice, "webgpu");
});

Deno.test("chooseFastest() never times or picks a software GPU adapter, nor a backend that does not load", async () => {
  const seen: string[] = [];
  const facts = [
    fact("native", { available: false, why: "oneDNN not found", version: "" }),
    fact("webgpu", { software: true, device: "llvmpipe" }),
    fact("cpu"),
  ];
  const d = await chooseFastest(facts, fakeTimes({ webgpu: 1e6, cpu: 5 }, seen));
  assert.equal(d.choice, "cpu");
  assert.deepEqual(seen, ["cpu:-"]);
  assert.match(d.rows[1].note ?? "", /software adapter: never chosen by auto/);
  assert.match(d.rows[0].note ?? "", /not available/);
});

Deno.test("chooseFastest() skips a candidate whose timing fails, and throws naming each when none can be timed", async () => {
  const d = await chooseFastest([fact("wasm"), fact("cpu")], fakeTimes({ cpu: 3 }, []));
  assert.equal(d.choice, "cpu");
  assert.match(d.rows[0].note ?? "", /^failed: wasm broke$/);
  await assert.rejects(
    () => chooseFastest([fact("wasm"), fact("webgpu", { software: true })], fakeTimes({}, [])),
    /no backend could be timed here \(wasm: wasm broke\)/,
  );
  await assert.rejects(() => chooseFastest([], fakeTimes({}, []), { seconds: 0 }), RangeError);
});

Deno.test("formatAutoTable() marks the choice and shows a dash for what was not timed", async () => {
  const d = await chooseFastest(
    [fact("native", { available: false, version: "" }), fact("wasm")],
    fakeTimes({ wasm: 31.25 }, []),
  );
  const lines = formatAutoTable(d.rows, d.choice).split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0], /backend\s+library\s+device\s+train img\/s\s+note/);
  assert.match(lines[1], /^ {2}native\s+-\s+test CPU\s+-\s+not available here$/);
  assert.match(lines[2], /^\* wasm\s+wasm 1\.0\s+test CPU\s+31\.3$/);
});

Deno.test("isaOfFlags() names the widest vector extensions of a /proc/cpuinfo flags line", () => {
  assert.equal(isaOfFlags("fpu sse4_2 avx avx2 fma bmi2"), "avx2 fma");
  assert.equal(
    isaOfFlags("sse4_2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16"),
    "avx512f avx512_vnni avx512_bf16 amx_bf16",
  );
  assert.equal(isaOfFlags("fp asimd evtstrm"), "asimd");
  assert.equal(isaOfFlags(""), "");
});
