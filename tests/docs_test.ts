/**
 * The README and the guides in docs/ stay true to the repository: every link
 * and image points at a file and heading that exist, every `deno task NAME`
 * names a task of deno.json, and every repository file they name is there.
 * Their TypeScript examples run in `deno task test` itself (`deno test --doc`
 * runs every ```ts block of every .md file); the last test keeps it so.
 * @module
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));

/** README.md and every docs/*.md, by path from the project root. */
const pages = new Map<string, string>();
pages.set("README.md", await Deno.readTextFile(new URL("README.md", root)));
for await (const entry of Deno.readDir(new URL("docs/", root))) {
  if (entry.isFile && entry.name.endsWith(".md")) {
    pages.set(`docs/${entry.name}`, await Deno.readTextFile(new URL(`docs/${entry.name}`, root)));
  }
}

/** The page's prose: fenced code blocks and inline code spans blanked out. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces to -). */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading.replace(/`/g, "").trim().toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Resolves `target` (a link in the page at `from`) to a path from the project root. */
function resolve(from: string, target: string): string {
  return new URL(target, new URL(from, root)).pathname.slice(root.pathname.length);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(path, root));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("README.md and docs/ link only to files and headings that exist", async () => {
  const broken: string[] = [];
  for (const [page, text] of pages) {
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:: outside the repository
      const [file, anchor] = target.split("#");
      const path = file === "" ? page : resolve(page, file);
      if (!(await exists(path))) {
        broken.push(`${page}: (${target}): no file ${path}`);
      } else if (anchor !== undefined) {
        const heads = path.endsWith(".md")
          ? anchors(pages.get(path) ?? await Deno.readTextFile(new URL(path, root)))
          : new Set<string>();
        if (!heads.has(anchor)) {
          broken.push(`${page}: (${target}): no heading #${anchor} in ${path}`);
        }
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("every guide is linked from docs/README.md, and every guide links onward", () => {
  const index = pages.get("docs/README.md")!;
  const guides = [...pages.keys()].filter((p) => p.startsWith("docs/") && p !== "docs/README.md");
  assert.ok(guides.length >= 9, `guides: ${guides}`);
  for (const guide of guides) {
    const name = guide.slice("docs/".length);
    assert.ok(index.includes(`](${name})`), `docs/README.md does not link ${name}`);
    assert.match(pages.get(guide)!, /\]\([\w.-]+\.md[#)]/, `${guide} links to no other guide`);
  }
});

Deno.test("every `deno task NAME` in README.md and docs/ names a task of deno.json", () => {
  const unknown: string[] = [];
  for (const [page, text] of pages) {
    for (const [, names] of text.matchAll(/deno task ([\w|-]+)/g)) {
      // `deno task train|suite|…` names several.
      for (const name of names.split("|")) {
        if (!(name in denoJson.tasks)) unknown.push(`${page}: deno task ${name}`);
      }
    }
  }
  assert.deepEqual(unknown, []);
});

Deno.test("every repository file README.md and docs/ name exists", async () => {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "node_modules") {
      folders.push(entry.name);
    }
  }
  // A path that starts at one of the project's folders, not inside another path (../shared/bench/…).
  const path = new RegExp(
    String.raw`(?<![\w./~-])((?:${
      folders.join("|")
    })/[\w./-]*\w\.(?:ts|yaml|py|md|json|sbatch|svg|png))\b`,
    "g",
  );
  const missing: string[] = [];
  for (const [page, text] of pages) {
    for (const [, file] of text.matchAll(path)) {
      if (!(await exists(file))) missing.push(`${page}: ${file}`);
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("deno task test runs the TypeScript examples of README.md and docs/", () => {
  const command: string = denoJson.tasks.test.command;
  assert.match(command, /^deno test .*--doc\b/);
  assert.match(command, /^deno test [^/]*$/, "no file list: deno test finds every .md itself");
  const excluded: string[] = denoJson.test?.exclude ?? [];
  assert.ok(!excluded.some((e) => "docs/".startsWith(e) || e.startsWith("docs")), `${excluded}`);
  assert.ok([...pages.values()].some((t) => t.includes("```ts\n")), "no examples at all");
});
