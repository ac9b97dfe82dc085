import assert from "node:assert/strict";
import {
  aptPackage,
  dnnlCandidates,
  installHint,
  isBareName,
  type SearchEnv,
} from "../../../../backends/native/onednn/search.ts";
import { openDnnl } from "../../../../backends/native/onednn/open.ts";

const system = (os: SearchEnv["os"], vars: Record<string, string> = {}): SearchEnv => ({
  os,
  env: (name) => vars[name],
});
const paths = (s: SearchEnv) => dnnlCandidates(s).map((c) => c.path);

Deno.test("dnnlCandidates() tries only SKIPLAB_DNNL when it is set, on every platform", () => {
  for (const os of ["linux", "darwin", "windows"] as const) {
    const s = system(os, { SKIPLAB_DNNL: "/x/libdnnl.so.3", CONDA_PREFIX: "/conda" });
    assert.deepEqual(dnnlCandidates(s), [{ path: "/x/libdnnl.so.3", source: "SKIPLAB_DNNL" }]);
  }
});

Deno.test("dnnlCandidates() on Linux tries 3.x sonames, Debian's renamed one, then 2.x", () => {
  assert.deepEqual(paths(system("linux")), [
    "libdnnl.so.3",
    "libdnnl.so.3.6",
    "libdnnl.so.2",
    "libdnnl.so",
  ]);
});

Deno.test("dnnlCandidates() on macOS tries Homebrew on Apple silicon before Intel", () => {
  const found = paths(system("darwin"));
  assert.deepEqual(found.slice(0, 4), [
    "/opt/homebrew/lib/libdnnl.3.dylib",
    "/opt/homebrew/lib/libdnnl.dylib",
    "/usr/local/lib/libdnnl.3.dylib",
    "/usr/local/lib/libdnnl.dylib",
  ]);
  assert.ok(found.includes("libdnnl.2.dylib"));
});

Deno.test("dnnlCandidates() puts a conda environment's library first", () => {
  assert.equal(paths(system("linux", { CONDA_PREFIX: "/c" }))[0], "/c/lib/libdnnl.so.3");
  assert.equal(paths(system("darwin", { CONDA_PREFIX: "/c" }))[0], "/c/lib/libdnnl.3.dylib");
  assert.deepEqual(paths(system("windows", { CONDA_PREFIX: "C:\\c" })), [
    "C:\\c\\Library\\bin\\dnnl.dll",
    "dnnl.dll",
  ]);
});

Deno.test("isBareName() leaves names without a folder to the system loader", () => {
  assert.equal(isBareName("libdnnl.so.3"), true);
  assert.equal(isBareName("dnnl.dll"), true);
  assert.equal(isBareName("/opt/homebrew/lib/libdnnl.dylib"), false);
  assert.equal(isBareName("C:\\conda\\Library\\bin\\dnnl.dll"), false);
});

Deno.test("installHint() names each platform's package, on Linux the distribution's own", () => {
  assert.match(installHint("linux", ""), /libdnnl2.*libdnnl3/);
  const release = (id: string, v: string) => `NAME="x"\nID=${id}\nVERSION_ID="${v}"\n`;
  assert.equal(installHint("linux", release("debian", "12")), "`sudo apt-get install libdnnl2`");
  assert.equal(aptPackage(release("debian", "13")), "libdnnl3.6");
  assert.equal(aptPackage(release("ubuntu", "22.04")), "libdnnl2");
  assert.equal(aptPackage(release("ubuntu", "24.04")), "libdnnl3");
  assert.equal(aptPackage(release("fedora", "40")), undefined);
  assert.match(installHint("darwin"), /brew install onednn/);
  assert.match(installHint("windows"), /conda install -c conda-forge onednn/);
});

Deno.test("openDnnl() reports each missing path of a fake file system as not found", () => {
  const env = system("darwin");
  const bare = dnnlCandidates(env).filter((c) => isBareName(c.path)).map((c) => c.path);
  // Bare names go to the real loader, which has no .dylib on Linux either.
  const error = (() => {
    try {
      openDnnl(1, "user", { env, exists: () => false });
    } catch (e) {
      return e as { attempts: { path: string; outcome: string }[] };
    }
    throw new Error("a macOS search found a library on this machine");
  })();
  for (const a of error.attempts) {
    if (!bare.includes(a.path)) assert.equal(a.outcome, "not found", a.path);
  }
  assert.equal(error.attempts.length, dnnlCandidates(env).length);
});
