/**
 * The import rules (docs/9-development.md; tests/_imports/rules.ts) hold for
 * every source file of the project, and the checker catches each kind of
 * break.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { findImports } from "./_imports/scan.ts";
import {
  checkImports,
  formatViolation,
  KNOWN_EXCEPTIONS,
  type KnownException,
  nonReexports,
} from "./_imports/rules.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Not source of the project: dependencies, run outputs, throwaway scripts. */
const SKIP = new Set(["node_modules", "runs", "scratch"]);

async function projectSources(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(dir: string): Promise<void> {
    for await (const e of Deno.readDir(ROOT + dir)) {
      const path = dir + e.name;
      if (e.isDirectory) {
        if (!e.name.startsWith(".") && !SKIP.has(path)) await walk(path + "/");
      } else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name)) {
        files.set(path, await Deno.readTextFile(ROOT + path));
      }
    }
  }
  await walk("");
  return files;
}

const importMap: Record<string, string> = JSON.parse(
  await Deno.readTextFile(ROOT + "deno.json"),
).imports;

Deno.test("every source file's imports follow the layering rules", async () => {
  const sources = await projectSources();
  assert.ok(sources.has("core/rng.ts") && sources.has("tasks/cli.ts"), "walked the project");
  const { violations, unusedExceptions } = checkImports(sources, { importMap });
  assert.deepEqual(violations.map(formatViolation), []);
  assert.deepEqual(
    unusedExceptions.map((e) => `${e.from} -> ${e.to} no longer occurs: remove it (${e.why})`),
    [],
  );
});

Deno.test("every mod.ts only re-exports", async () => {
  const sources = await projectSources();
  const mods = [...sources].filter(([path]) => /(^|\/)mod\.ts$/.test(path));
  assert.ok(mods.some(([p]) => p === "core/mod.ts"));
  const offending = mods.flatMap(([path, src]) => nonReexports(src).map((s) => `${path}: ${s}`));
  assert.deepEqual(offending, []);
  assert.deepEqual(nonReexports('/** doc */\nexport * from "./a.ts";\nconst x = 1;'), [
    "const x = 1",
  ]);
});

/** Checks one synthetic file (with no exceptions) and returns the formatted violations. */
function check(path: string, source: string, exceptions: KnownException[] = []): string[] {
  return checkImports(new Map([[path, source]]), { importMap, exceptions })
    .violations.map(formatViolation);
}

Deno.test("checkImports() names file, line, import and rule of a layer importing upward", () => {
  assert.deepEqual(check("layers/x.ts", '\nimport { Rng } from "../data/rng.ts";\n'), [
    'layers/x.ts:2: import "../data/rng.ts" (data/rng.ts) breaks the rule: ' +
    "layers may import only core",
  ]);
  assert.deepEqual(check("layers/x.ts", 'import { Rng } from "../core/rng.ts";'), []);
});

Deno.test("checkImports() catches dynamic imports and re-exports", () => {
  const [dynamic] = check("models/x.ts", 'const m = await import("../tasks/cli.ts");');
  assert.match(dynamic, /models\/x\.ts:1: import "\.\.\/tasks\/cli\.ts".*nothing imports tasks/);
  const [reexport] = check("data/mod.ts", 'export * from "../train/mod.ts";');
  assert.match(reexport, /data\/mod\.ts:1: .*train\/mod\.ts.*data depends on core only/);
  const [named] = check("backends/x.ts", 'export {\n  a,\n  b,\n} from "../train/optimizer.ts";');
  assert.match(named, /backends\/x\.ts:1: .*backends depend on core only/);
  // A computed specifier cannot be checked statically; it is no violation.
  assert.deepEqual(check("plugins/x.ts", "await import(url.href);"), []);
});

Deno.test("checkImports() lets plugins see only the plugin API and the model spec", () => {
  const ok = 'import type { StepContext } from "../../train/types.ts";\n' +
    'import type { ModelSpec } from "../../models/spec.ts";\n' +
    'import { Rng } from "../../core/rng.ts";';
  assert.deepEqual(check("plugins/probes/x.ts", ok), []);
  const [trainer] = check("plugins/probes/x.ts", 'import { train } from "../../train/trainer.ts";');
  assert.match(trainer, /train\/trainer\.ts\) breaks the rule: plugins see only core/);
  const [bare] = check("plugins/x.ts", 'import { train } from "@skiplab/skiplab";');
  assert.match(bare, /"@skiplab\/skiplab" \(mod\.ts\) breaks the rule: plugins see only/);
});

Deno.test("checkImports() refuses another folder's _private.ts, even where the folder is allowed", () => {
  const [v] = check("train/x.ts", 'import { BufferPool } from "../backends/native/_buffers.ts";');
  assert.match(v, /no folder imports another folder's _private\.ts/);
  assert.deepEqual(check("backends/select.ts", 'import "./native/_backend.ts";'), []);
  assert.deepEqual(check("tests/x_test.ts", 'import "../backends/native/_buffers.ts";'), []);
});

Deno.test("checkImports() keeps core free of other folders and of runtime packages", () => {
  assert.deepEqual(check("core/x.ts", 'import type * as tf from "@tensorflow/tfjs";'), []);
  const [pkg] = check("core/x.ts", 'import { z } from "zod";');
  assert.match(pkg, /import "zod" \(zod\) breaks the rule: core is dependency-free/);
  const [folder] = check("core/x.ts", 'import type { Batch } from "../train/types.ts";');
  assert.match(folder, /core is dependency-free/);
});

Deno.test("checkImports() flags a folder without a rule and a path leaving the project", () => {
  assert.match(check("newdir/x.ts", 'import "../core/rng.ts";')[0], /'newdir' has no import rule/);
  assert.match(check("core/x.ts", 'import "../../x.ts";')[0], /imports stay inside the project/);
});

Deno.test("checkImports() skips a known exception and reports one that no longer occurs", () => {
  const exception = { from: "train/", to: "plugins/compose.ts", why: "moving" };
  const src = 'import { compose } from "../plugins/compose.ts";';
  assert.deepEqual(check("train/trainer.ts", src, [exception]), []);
  const { unusedExceptions } = checkImports(new Map([["train/trainer.ts", ""]]), {
    importMap,
    exceptions: [exception],
  });
  assert.deepEqual(unusedExceptions, [exception]);
});

Deno.test("checkImports() fails the real tree when one wrong import is added to a real file", async () => {
  const sources = await projectSources();
  const file = "layers/conv_bn_act.ts";
  sources.set(file, sources.get(file) + '\nimport type { Batch } from "../train/types.ts";\n');
  const { violations } = checkImports(sources, { importMap, exceptions: KNOWN_EXCEPTIONS });
  assert.equal(violations.length, 1);
  assert.match(formatViolation(violations[0]), /^layers\/conv_bn_act\.ts:\d+: .*only core/);
});

Deno.test("findImports() ignores imports in comments, strings, templates and regexes", () => {
  const src = [
    "/**",
    " * ```ts",
    ' * import { x } from "../tasks/cli.ts";',
    " * ```",
    " */",
    '// import "../tasks/a.ts";',
    "const s = 'import \"../tasks/b.ts\"';",
    'const t = `export * from "../tasks/c.ts" ${"}"} import("../tasks/d.ts") ${await import("./real.ts")}`;',
    'const r = /import "x"|from "y"/g;',
    "const q = a / b / c;",
    "const m = import.meta.url;",
    'const o = { import: 1, from: "z" };',
    "import {",
    "  type A,",
    "  type B,",
    '} from "./types.ts";',
    'import def, { type C } from "./c.ts";',
    'export type { D } from "./d.ts";',
    'export { e } from "./e.ts";',
    "export { f };",
    'import "./side_effect.ts";',
  ].join("\n");
  assert.deepEqual(
    findImports(src).map((r) => `${r.line} ${r.kind} ${r.typeOnly ? "type " : ""}${r.specifier}`),
    [
      "8 dynamic ./real.ts",
      "13 import type ./types.ts",
      "17 import ./c.ts",
      "18 export type ./d.ts",
      "19 export ./e.ts",
      "21 import ./side_effect.ts",
    ],
  );
});
