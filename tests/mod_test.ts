/**
 * The public API stays one a user can read: the root exports few names, by
 * name, and every name the README and the guides import from
 * `@skiplab/skiplab` (or one of its subpaths) is exported there.
 * @module
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const config: { exports: Record<string, string> } = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", root)),
);

/** The names an entry point exports, as `deno doc` (and so JSR) lists them. */
async function exportedNames(entry: string): Promise<Set<string>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: root,
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc: { nodes: Record<string, { symbols: { name: string }[] }> } = JSON.parse(
    new TextDecoder().decode(stdout),
  );
  return new Set(Object.values(doc.nodes).flatMap((n) => n.symbols.map((s) => s.name)));
}

/** Markdown files a reader is sent to: the README and every page under docs/. */
async function guides(): Promise<string[]> {
  const files = ["README.md"];
  const walk = async (dir: string): Promise<void> => {
    try {
      for await (const e of Deno.readDir(new URL(dir, root))) {
        const path = `${dir}${e.name}`;
        if (e.isDirectory) await walk(`${path}/`);
        else if (e.name.endsWith(".md")) files.push(path);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  };
  await walk("docs/");
  return files;
}

/** `{ names }` imported from "@skiplab/skiplab[/sub]" by the ts code blocks of `markdown`. */
function packageImports(markdown: string): { specifier: string; name: string }[] {
  const blocks = [...markdown.matchAll(/```tsx?\b[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((code) =>
    [...code.matchAll(
      /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["'](@skiplab\/skiplab[^"']*)["']/g,
    )]
      .flatMap(([, list, specifier]) =>
        list.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => ({
          specifier,
          name: s.replace(/^type\s+/, "").split(/\s+as\s+/)[0],
        }))
      )
  );
}

Deno.test("packageImports() finds named imports of the package and its subpaths in ts blocks only", () => {
  const md = [
    "```ts",
    'import { a, type B, c as d } from "@skiplab/skiplab";',
    'import { e } from "@skiplab/skiplab/rundir";',
    'import { z } from "zod";',
    "```",
    "```sh",
    'import { f } from "@skiplab/skiplab";',
    "```",
  ].join("\n");
  assert.deepEqual(packageImports(md), [
    { specifier: "@skiplab/skiplab", name: "a" },
    { specifier: "@skiplab/skiplab", name: "B" },
    { specifier: "@skiplab/skiplab", name: "c" },
    { specifier: "@skiplab/skiplab/rundir", name: "e" },
  ]);
});

Deno.test("mod.ts exports under 120 names, each by name", async () => {
  const source = await Deno.readTextFile(new URL("mod.ts", root));
  assert.doesNotMatch(source, /export\s+(type\s+)?\*/, "the root names what it exports");
  const names = await exportedNames("mod.ts");
  assert.ok(names.size >= 30, `the root still exports the API (${names.size} names)`);
  assert.ok(names.size < 120, `the root exports ${names.size} names; keep it under 120`);
});

Deno.test("every name the README and docs/ import from @skiplab/skiplab is exported there", async () => {
  const entries = new Map<string, Set<string>>();
  const missing: string[] = [];
  let count = 0;
  for (const file of await guides()) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const { specifier, name } of packageImports(text)) {
      count++;
      const subpath = `.${specifier.slice("@skiplab/skiplab".length)}`;
      const entry = config.exports[subpath];
      if (entry === undefined) {
        missing.push(`${file}: "${specifier}" is not in deno.json's exports`);
        continue;
      }
      if (!entries.has(entry)) entries.set(entry, await exportedNames(entry));
      if (!entries.get(entry)!.has(name)) missing.push(`${file}: ${name} from "${specifier}"`);
    }
  }
  assert.ok(count > 0, "the README imports from @skiplab/skiplab");
  assert.deepEqual(missing, []);
});

Deno.test("deno publish --dry-run finds nothing to warn about", async () => {
  // Warnings do not fail `deno publish`, so `deno task ok` alone would let them back in.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty", "--no-check"],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, out);
  assert.match(out, /Dry run complete/);
  assert.deepEqual(out.split("\n").filter((l) => /^warning/.test(l)), []);
});
