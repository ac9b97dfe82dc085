/**
 * Checking a plugin's saved state before restoring it.
 * @module
 */
import type { z } from "zod";
import type { PluginState } from "./plugin.ts";

/**
 * Checks a saved state against its schema.
 * @throws {TypeError} naming the plugin and the first problem.
 */
export function parseState<S extends z.ZodType>(
  plugin: string,
  schema: S,
  state: PluginState,
): z.output<S> {
  const parsed = schema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `${plugin}: invalid saved state at '${
        issue.path.map(String).join(".") || "(root)"
      }': ${issue.message}` +
        `, got ${JSON.stringify(state)}`,
    );
  }
  return parsed.data;
}
