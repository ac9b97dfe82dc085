/**
 * The dashboard's own scripts and stylesheet (serve/client/), and the page
 * that loads them: served by the app, or inlined into one offline HTML file.
 * No script or style comes from anywhere else.
 * @module
 */

/** Client scripts, in load order (each adds to `globalThis.skiplab`). */
export const CLIENT_SCRIPTS: readonly string[] = [
  "dom.js",
  "chart.js",
  "run.js",
  "table.js",
  "compare.js",
  "app.js",
];

/** The client files by name: the scripts and `style.css`. */
export type ClientAssets = ReadonlyMap<string, string>;

/** Reads the client files from serve/client/ (beside this module). */
export async function loadClientAssets(): Promise<ClientAssets> {
  const names = [...CLIENT_SCRIPTS, "style.css"];
  // From a checkout the files are read; from the published package (an https: URL) fetched.
  const read = (url: URL) =>
    url.protocol === "file:" ? Deno.readTextFile(url) : fetch(url).then((r) => r.text());
  const texts = await Promise.all(
    names.map((n) => read(new URL(`./client/${n}`, import.meta.url))),
  );
  return new Map(names.map((n, i) => [n, texts[i]]));
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
  const scripts = CLIENT_SCRIPTS.map((s) => `<script src="/assets/${s}" defer></script>`);
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
  const scripts = CLIENT_SCRIPTS.map((s) => `<script>\n${inline(s)}\n</script>`);
  return shell(title, `<style>\n${inline("style.css")}\n</style>`, [data, ...scripts].join("\n"));
}
