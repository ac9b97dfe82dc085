/**
 * Test helper: a real headless Chromium (Debian's `chromium`, driven with
 * playwright-core) for the dashboard and export tests. Without a browser the
 * tests are ignored and say why, unless `SKIPLAB_REQUIRE_BROWSER=1` (set by
 * .ci/run once it has installed chromium), where a missing browser fails.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** Set (to 1) where chromium was installed for the tests: skipping is an error. */
const REQUIRED = "SKIPLAB_REQUIRE_BROWSER";
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

function findChromium(): string | null {
  const fromEnv = Deno.env.get("SKIPLAB_CHROMIUM");
  for (const path of fromEnv ? [fromEnv] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there: try the next */ }
  }
  return null;
}

const executablePath = findChromium();
if (executablePath === null) {
  const why = `no chromium at ${
    CANDIDATES.join(", ")
  } (set SKIPLAB_CHROMIUM, or apt install chromium)`;
  if (Deno.env.get(REQUIRED) === "1") throw new Error(`${REQUIRED}=1 but ${why}`);
  console.log(`skipping browser tests: ${why}`);
}

/** True when the browser tests must be ignored (no chromium here). */
export const ignoreBrowser: boolean = executablePath === null;

/** Launches headless Chromium; the caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  if (executablePath === null) throw new Error("no chromium (check ignoreBrowser first)");
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return await chromium.launch({ executablePath, args: ["--no-sandbox"] });
}

/** Runs `fn` with a fresh page of a fresh browser, closing both afterwards. */
export async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // A page error is a test failure, not a line lost in the browser's console.
    const errors: Error[] = [];
    page.on("pageerror", (e) => errors.push(e));
    const out = await fn(page);
    if (errors.length > 0) {
      throw new Error(`page errors: ${errors.map((e) => e.message).join("; ")}`);
    }
    return out;
  } finally {
    await browser.close();
  }
}
