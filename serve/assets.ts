/**
 * The dashboard's own scripts and stylesheet (serve/client/), and the page
 * that loads them: served by the app, or inlined into one offline HTML file.
 * No script or style comes from anywhere else.
 * @module
 */

/**
 * Vega and Vega-Lite's browser builds, served from the npm packages in
 * node_modules (never a CDN), in load order: the charts are Vega-Lite
 * specifications, the language of the report's figures (analysis/). The
 * interpreter evaluates Vega expressions without `eval`, so the
 * content-security policy needs no 'unsafe-eval'; its package ships only an
 * ES module, turned into a script by {@linkcode vendorScript}.
 */
export const VENDOR_SCRIPTS: Readonly<Record<string, string>> = {
  "vega.min.js": "vega/build/vega.min.js",
  "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
  "vega-interpreter.js": "vega-interpreter/build/vega-interpreter.js",
};

/**
 * The browser script of vendor file `name` from its package text: the
 * interpreter's one `import` from vega-util becomes a read of the `vega`
 * global (vega's build re-exports vega-util), its `export` a global.
 */
export function vendorScript(name: string, text: string): string {
  if (name !== "vega-interpreter.js") return text;
  const imports = /^import \{([^}]*)\} from 'vega-util';$/m;
  const exports = /^export \{ expression as expressionInterpreter \};$/m;
  if (!imports.test(text) || !exports.test(text)) {
    throw new SyntaxError(
      `Cannot serve ${name}: expected one import from 'vega-util' and one export; the package changed`,
    );
  }
  return `(() => {\n${
    text.replace(imports, (_, names) => `const {${names}} = globalThis.vega;`)
      .replace(exports, "globalThis.vegaInterpreter = expression;")
  }\n})();\n`;
}

/** Client scripts, in load order (each adds to `globalThis.skiplab`). */
export const CLIENT_SCRIPTS: readonly string[] = [
  "dom.js",
  "vega_chart.js",
  "line_spec.js",
  "seed_groups.js",
  "live.js",
  "run.js",
  "table.js",
  "compare.js",
  "sweep.js",
  "app.js",
];

/** The client files by name: the scripts and `style.css`. */
export type ClientAssets = ReadonlyMap<string, string>;

/** Where the npm packages are: the checkout's node_modules (deno.json's `nodeModulesDir`). */
export const NODE_MODULES: URL = new URL("../node_modules/", import.meta.url);

/**
 * Reads the client files from serve/client/ (beside this module) and the
 * vendor scripts from node_modules.
 * @throws {Deno.errors.NotFound} naming a vendor file that is missing (run `deno install`).
 */
export async function loadClientAssets(): Promise<ClientAssets> {
  const names = [...CLIENT_SCRIPTS, "style.css"];
  // From a checkout the files are read; from the published package (an https: URL) fetched.
  const read = (url: URL) =>
    url.protocol === "file:" ? Deno.readTextFile(url) : fetch(url).then((r) => r.text());
  const texts = await Promise.all(
    names.map((n) => read(new URL(`./client/${n}`, import.meta.url))),
  );
  const vendor = await Promise.all(
    Object.entries(VENDOR_SCRIPTS).map(async ([name, path]) => {
      const url = new URL(path, NODE_MODULES);
      const text = await read(url).catch((e) => {
        throw new Deno.errors.NotFound(
          `Cannot serve the dashboard: '${url.pathname}' is missing (${e.message}); run 'deno install'`,
        );
      });
      return [name, vendorScript(name, text)] as const;
    }),
  );
  return new Map([...names.map((n, i) => [n, texts[i]] as const), ...vendor]);
}

/** Escapes text for an HTML text node or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const shell = (title: string, head: string, body: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
<header class="top"><a href="#/">skiplab</a><span class="live">${escapeHtml(title)}</span></header>
<main id="main"><p class="empty">loading…</p></main>
${body}
</body>
</html>
`;

/** The page the server sends: it loads `/assets/*` from the app itself. */
export function indexPage(title: string): string {
  const all = [...Object.keys(VENDOR_SCRIPTS), ...CLIENT_SCRIPTS];
  const scripts = all.map((s) => `<script src="/assets/${s}" defer></script>`);
  return shell(title, `<link rel="stylesheet" href="/assets/style.css">`, scripts.join("\n"));
}

/**
 * JSON that is safe inside a `<script>` element: `<` (and so `</script>`,
 * `<!--`) and the line separators JavaScript treats as line ends are escaped.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * One self-contained page: the stylesheet, the scripts and `api` (the JSON
 * of every API path the views ask for) inline; it opens at route `start`.
 */
export function embeddedPage(
  title: string,
  assets: ClientAssets,
  api: Readonly<Record<string, unknown>>,
  start = "#/",
): string {
  const inline = (name: string) => assets.get(name)!.replace(/<\/(script|style)/gi, "<\\/$1");
  const data = `<script>globalThis.SKIPLAB_EMBEDDED = ${scriptJson({ api, start })};</script>`;
  const all = [...Object.keys(VENDOR_SCRIPTS), ...CLIENT_SCRIPTS];
  const scripts = all.map((s) => `<script>\n${inline(s)}\n</script>`);
  return shell(title, `<style>\n${inline("style.css")}\n</style>`, [data, ...scripts].join("\n"));
}
