/**
 * Helpers of the analysis tests: fixture copies in temporary directories and an SVG parser.
 * @module
 */
import { type Document, DOMParser, type Element } from "@xmldom/xmldom";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fixture run directories under tests/fixtures/. */
export const FIXTURES: string = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Copies fixture runs (`run_<name>`) into a new temporary directory; returns it. */
export async function copyFixtures(names: readonly string[]): Promise<string> {
  const tmp = await Deno.makeTempDir({ prefix: "skiplab_analysis_" });
  for (const name of names) {
    await Deno.mkdir(join(tmp, `run_${name}`));
    for await (const f of Deno.readDir(join(FIXTURES, `run_${name}`))) {
      if (f.isFile) {
        await Deno.copyFile(
          join(FIXTURES, `run_${name}`, f.name),
          join(tmp, `run_${name}`, f.name),
        );
      }
    }
  }
  return tmp;
}

/** A parsed SVG document; throws on any XML error. */
export function parseSvg(svg: string): Document {
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      if (level !== "warning") throw new SyntaxError(`Invalid SVG: ${message}`);
    },
  }).parseFromString(svg, "image/svg+xml");
  if (doc.documentElement?.nodeName !== "svg") {
    throw new SyntaxError("Invalid SVG: the root element is not <svg>");
  }
  return doc;
}

/** Elements whose class attribute starts with `prefix` (e.g. `mark-line role-mark`). */
export function byClass(doc: Document, prefix: string): Element[] {
  return Array.from<Element>(doc.getElementsByTagName("*")).filter((e) =>
    (e.getAttribute("class") ?? "").startsWith(prefix)
  );
}

/** Text contents of the `<text>` elements under elements whose class starts with `prefix`. */
export function texts(doc: Document, prefix: string): string[] {
  return byClass(doc, prefix).flatMap((g) =>
    Array.from<Element>(g.getElementsByTagName("text")).map((t) => t.textContent ?? "")
  );
}
