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
  findRunFileLiterals,
  formatRunFileLiteral,
  formatViolation,
  KNOWN_EXCEPTIONS,
  type KnownException,
  nonReexports,
} from "./_imports/rules.ts";
import {
  CHECKPOINT_FILES,
  EVALUATION_FILES,
  EVALUATIONS_DIR,
  RUN_FILES,
  RUN_LOCK,
  SUITE_FILES,
  SWEEP_FILES,
} from "../rundir/mod.ts";

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

/**
 * The names of the files inside run, suite and sweep directories and
 * checkpoints, as rundir/ defines them. `model.json` and `weights.bin` are
 * tfjs's model-folder format, which exports share, so they are not skiplab's
 * to own.
 */
const RUN_FILE_NAMES = [
  ...new Set([
    ...Object.values(RUN_FILES),
    ...Object.values(SUITE_FILES),
    ...Object.values(SWEEP_FILES),
    CHECKPOINT_FILES.state,
    CHECKPOINT_FILES.optimizer,
    CHECKPOINT_FILES.snapshots,
    EVALUATIONS_DIR,
    ...Object.values(EVALUATION_FILES),
    RUN_LOCK,
  ]),
];

Deno.test("no source file outside rundir/ and tests/ spells a path inside a run", async () => {
  const found = findRunFileLiterals(await projectSources(), RUN_FILE_NAMES);
  assert.deepEqual(found.map(formatRunFileLiteral), []);
});

Deno.test("findRunFileLiterals() catches a run file spelled as a path, not one named in a sentence", () => {
  const find = (src: string) =>
    findRunFileLiterals(new Map([["tasks/x.ts", src]]), RUN_FILE_NAMES).map((v) =>
      `${v.line} ${v.name}`
    );
  assert.deepEqual(find("const a = `${dir}/config.yaml`;"), ["1 config.yaml"]);
  assert.deepEqual(find('\nconst b = join(dir, "summary.json");'), ["2 summary.json"]);
  assert.deepEqual(find('const c = join(dir, "checkpoints/last");'), ["1 checkpoints"]);
  assert.deepEqual(find("const d = `${dir}/checkpoints/${slot}/state.json`;"), [
    "1 checkpoints",
    "1 state.json",
  ]);
  assert.deepEqual(find('const e = dir + "/history.csv";'), ["1 history.csv"]);
  assert.deepEqual(
    find(
      'throw new Error(`${dir}: it has no config.yaml`); log("saved checkpoints/best");\n' +
        '// `${dir}/summary.json`\nconst k = runPath(dir, "checkpoints"); const u = "RUN/evaluations/";',
    ),
    [],
  );
  // Where the names belong, they may be spelled.
  const own = new Map([["rundir/x.ts", '"summary.json"'], ["tests/x_test.ts", '"summary.json"']]);
  assert.deepEqual(findRunFileLiterals(own, RUN_FILE_NAMES), []);
});

Deno.test("findRunFileLiterals() fails the real tree when a task spells `${dir}/checkpoints/last` again", async () => {
  const sources = await projectSources();
  const file = "tasks/resume.ts";
  sources.set(
    file,
    sources.get(file) + "\nexport const last = (dir: string) => `${dir}/checkpoints/last`;\n",
  );
  const found = findRunFileLiterals(sources, RUN_FILE_NAMES).map(formatRunFileLiteral);
  assert.equal(found.length, 1);
  assert.match(
    found[0],
    /^tasks\/resume\.ts:\d+: "\/checkpoints\/last" spells the run file 'checkpoints'/,
  );
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

Deno.test("checkImports() keeps a private folder's files to its own folder, but for its mod.ts", () => {
  const [v] = check(
    "train/x.ts",
    'import { BufferPool } from "../backends/native/memory/buffers.ts";',
  );
  assert.match(v, /nor a private folder's files other than its mod\.ts \(backends\/native\//);
  assert.deepEqual(check("bench/x.ts", 'import "../backends/native/mod.ts";'), []);
  assert.deepEqual(check("backends/select.ts", 'import "./native/memory/buffers.ts";'), []);
  assert.deepEqual(check("tests/x_test.ts", 'import "../backends/wasm/ops.ts";'), []);
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
