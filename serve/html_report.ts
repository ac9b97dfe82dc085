/**
 * `deno task report DIR --html`: the dashboard's views of a run, a suite, a
 * sweep or a folder of runs as one self-contained HTML file (scripts, styles and data
 * inline) that opens offline, for sharing a result.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { findRunDirs, type FoundDir, isRunDir, SUITE_FILES, SWEEP_FILES } from "../rundir/mod.ts";
import { apiGet, listRuns } from "./api.ts";
import { embeddedPage, loadClientAssets } from "./assets.ts";

const has = (dir: string, file: string) => Deno.stat(join(dir, file)).then(() => true, () => false);

/** The API paths of a run or suite id, as the client asks for them. */
const idPath = (kind: string, id: string) =>
  `/api/${kind}/${id.split("/").map(encodeURIComponent).join("/")}`;

/**
 * Writes `report.html` into `dir` (a run, a suite, a sweep, or a folder of runs) and
 * returns its path. Reads only `dir` and below.
 * @throws {Deno.errors.NotFound} when `dir` is not a folder.
 */
export async function writeHtmlReport(dir: string): Promise<string> {
  const info = await Deno.stat(dir).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new Deno.errors.NotFound(`Cannot write an HTML report: '${dir}' is not a folder`);
  }
  const real = await Deno.realPath(dir);
  const kind = (await has(real, SUITE_FILES.suite))
    ? "suite"
    : (await has(real, SWEEP_FILES.sweep))
    ? "sweep"
    : (await isRunDir(real))
    ? "run"
    : "folder";
  // A run or suite is shown under its parent (so its id is its name), without reading the parent.
  const root = kind === "folder" ? real : dirname(real), self = basename(real);
  const found: FoundDir[] = kind === "folder"
    ? await findRunDirs(real)
    : kind === "run"
    ? [{ id: self, path: real, kind: "run" }]
    : [
      { id: self, path: real, kind },
      ...(await findRunDirs(real)).map((f) => ({
        ...f,
        id: `${self}/${f.id}`,
        ...(f.suite ? { suite: `${self}/${f.suite}` } : kind === "suite" ? { suite: self } : {}),
        ...(f.sweep ? { sweep: `${self}/${f.sweep}` } : kind === "sweep" ? { sweep: self } : {}),
      })),
    ];
  const api: Record<string, unknown> = { "/api/runs": await listRuns(root, found) };
  for (const f of found) {
    api[idPath(f.kind, f.id)] = await apiGet(root, ["api", f.kind, ...f.id.split("/")]);
  }
  const start = kind === "folder" ? "#/" : `#/${kind}/${encodeURIComponent(self)}`;
  const html = embeddedPage(`skiplab report: ${self}`, await loadClientAssets(), api, start);
  const out = join(real, "report.html");
  await Deno.writeTextFile(out, html);
  return out;
}
