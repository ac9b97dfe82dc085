import assert from "node:assert/strict";
import {
  DnnlNotFoundError,
  loadFailure,
  openDnnl,
} from "../../../../backends/native/onednn/open.ts";
import type { SearchEnv } from "../../../../backends/native/onednn/search.ts";

const only = (path: string): SearchEnv => ({
  os: Deno.build.os,
  env: (name) => name === "SKIPLAB_DNNL" ? path : undefined,
});

function attemptsOf(path: string) {
  try {
    openDnnl(1, "user", { env: only(path) });
  } catch (e) {
    assert.ok(e instanceof DnnlNotFoundError);
    return e.attempts;
  }
  throw new Error(`${path} opened as oneDNN`);
}

Deno.test("openDnnl() says not found for a SKIPLAB_DNNL path that does not exist", () => {
  const [a] = attemptsOf("/nonexistent/libdnnl.so.3");
  assert.deepEqual(a, {
    path: "/nonexistent/libdnnl.so.3",
    source: "SKIPLAB_DNNL",
    outcome: "not found",
  });
});

Deno.test({
  name: "openDnnl() names the missing symbol of a library that is not oneDNN",
  ignore: Deno.build.os !== "linux",
  fn() {
    const [a] = attemptsOf("libm.so.6");
    assert.equal(a.outcome, "missing symbol dnnl_version");
  },
});

Deno.test("loadFailure() shortens the loader's messages", () => {
  assert.equal(
    loadFailure(
      "Could not open library: libdnnl.so.3: cannot open shared object file: No such file",
    ),
    "not found",
  );
  assert.equal(
    loadFailure("Failed to register symbol dnnl_sgemm: /x/libdnnl.so: undefined symbol"),
    "missing symbol dnnl_sgemm",
  );
  assert.equal(loadFailure("Could not open library: wrong ELF class\nmore"), "wrong ELF class");
});
