/**
 * The dashboard: a local, read-only web app over a folder of runs,
 * suites and sweeps (`deno task serve`), and the same views saved as one offline HTML
 * file (`deno task report DIR --html`).
 * @module
 */
export * from "./safety.ts";
export * from "./run_view.ts";
export * from "./suite_view.ts";
export * from "./sweep_view.ts";
export * from "./api.ts";
export * from "./assets.ts";
export * from "./live.ts";
export * from "./app.ts";
export * from "./server.ts";
export * from "./html_report.ts";
