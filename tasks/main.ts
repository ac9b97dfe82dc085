/**
 * skiplab's command line as a package entry point (`@skiplab/skiplab/cli`),
 * run in this process with the permissions it was given:
 *
 *     deno run -A jsr:@skiplab/skiplab/cli train resnet18 --data synthetic
 *     deno install -g -A -n skiplab jsr:@skiplab/skiplab/cli
 *
 * Built-in experiments and the paper's recipe come from the package itself;
 * the user's experiment files, plugins and data come from the working folder,
 * and runs are written under it (`runs/`). In a checkout, `deno task …` runs
 * the same commands with permissions scoped to each (tasks/launch.ts).
 * @module
 */
import { runAndExit } from "./cli.ts";

if (import.meta.main) await runAndExit(Deno.args);
