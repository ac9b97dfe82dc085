import assert from "node:assert/strict";
import { explainFailure, fallbackCost } from "../../../backends/native/unavailable.ts";
import { failure } from "./_failure.ts";

Deno.test("explainFailure() groups what was tried by outcome, then the install command and cost", () => {
  const lines = explainFailure(failure, "wasm").split("\n");
  assert.deepEqual(lines.slice(0, 3), [
    "The native backend cannot load: no usable oneDNN found",
    "  tried libdnnl.so.3, libdnnl.so.2: not found",
    "  tried /opt/x/libdnnl.so: oneDNN 1.8.0; skiplab needs 2.x, or 3.1 or newer",
  ]);
  assert.match(lines[3], /install: `sudo apt-get install libdnnl/);
  assert.match(lines[4], /wasm trains about 15× slower than native \(baseline_cnn: 30\.6 vs 446/);
  assert.equal(lines.length, 5);
});

Deno.test("fallbackCost() says so when a backend's cost was never measured", () => {
  assert.match(fallbackCost("tensorflow"), /not measured/);
  assert.match(fallbackCost("cpu"), /about 91× slower/);
});
