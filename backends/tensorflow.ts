/**
 * The tfjs "tensorflow" backend (libtensorflow through tfjs-node), an opt-in:
 * its packages are loaded only when this backend is asked for, and only if
 * the project maps them in deno.json; skiplab never installs them.
 *
 * @module
 */
import { BackendUnavailableError } from "./unavailable.ts";
import * as tf from "@tensorflow/tfjs";
import { importAtRunTime, resolveAtRunTime } from "../core/runtime_import.ts";

/** The packages tried, in order: the CUDA build first. */
export const TENSORFLOW_PACKAGES: readonly string[] = [
  "@tensorflow/tfjs-node-gpu",
  "@tensorflow/tfjs-node",
];

/** How to install the tensorflow backend; the tail of its error message. */
export const TENSORFLOW_INSTALL_HINT: string = [
  "To enable the tensorflow backend:",
  '  1. add to "imports" in deno.json either',
  '     "@tensorflow/tfjs-node": "npm:@tensorflow/tfjs-node@4.22.0" (CPU), or',
  '     "@tensorflow/tfjs-node-gpu": "npm:@tensorflow/tfjs-node-gpu@4.22.0"' +
  " (NVIDIA GPU on Linux; needs CUDA 11.2 and cuDNN 8.1);",
  "  2. run `deno install --allow-scripts=npm:@tensorflow/tfjs-node`" +
  " (or `=npm:@tensorflow/tfjs-node-gpu`) so its install script can download libtensorflow;",
  "  3. outside `deno task`, run with --allow-ffi (the package loads a native addon).",
].join("\n");

/** The loaded package's version, or why it could not be loaded. */
async function tryLoad(pkg: string): Promise<{ version: string } | string> {
  try {
    // Resolving first keeps an unmapped package from ever reaching a registry.
    resolveAtRunTime(pkg);
  } catch {
    return "not in the imports of deno.json";
  }
  try {
    // Never a literal import: the package stays out of skiplab's module graph.
    const mod = await importAtRunTime(pkg);
    return { version: typeof mod.version === "string" ? mod.version : "" };
  } catch (error) {
    const first = String((error as Error)?.message ?? error).split("\n")[0];
    return `mapped but failed to load (${first})`;
  }
}

/**
 * Loads `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`, and makes
 * "tensorflow" the tfjs backend. Fails fast, with no network access, when
 * neither is installed.
 *
 * @returns detail for BackendInfo: the package and its version
 * @throws {Error} naming each package's problem, then
 *   {@link TENSORFLOW_INSTALL_HINT}
 *
 * @example
 * ```ts
 * import { activateTensorflow } from "./tensorflow.ts";
 * try {
 *   console.log(await activateTensorflow());
 * } catch (error) {
 *   console.log((error as Error).message); // how to install it
 * }
 * ```
 */
export async function activateTensorflow(): Promise<string> {
  const problems: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    const loaded = await tryLoad(pkg);
    if (typeof loaded === "string") {
      problems.push(`  ${pkg}: ${loaded}`);
      continue;
    }
    if (tf.findBackendFactory("tensorflow") === null) {
      problems.push(
        `  ${pkg}: loaded, but registered its backend with another copy of ` +
          `@tensorflow/tfjs-core (pin it to ${tf.version_core}, like @tensorflow/tfjs)`,
      );
      continue;
    }
    if (!(await tf.setBackend("tensorflow"))) {
      problems.push(`  ${pkg}: loaded, but the tensorflow backend failed to initialise`);
      continue;
    }
    return `${pkg}${loaded.version ? ` ${loaded.version}` : ""}`;
  }
  throw new BackendUnavailableError(
    "The tensorflow backend needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, " +
      `and neither can be loaded:\n${problems.join("\n")}\n${TENSORFLOW_INSTALL_HINT}`,
  );
}
