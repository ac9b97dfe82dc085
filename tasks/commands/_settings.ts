/**
 * The experiment settings as flags (`--epochs`, `--batch-size`, …), declared
 * from experiment/overrides.ts's table so that a setting is named once, and
 * the permissions every training command shares.
 * @module
 */
import { dirname, resolve } from "node:path";
import { type SettingName, SETTINGS, type SettingValues } from "../../experiment/overrides.ts";
import type { FlagSpec } from "../command.ts";
import {
  dataGrants,
  experimentFiles,
  grant,
  NONE,
  type Permissions,
  runFiles,
  type Where,
} from "../permissions.ts";

type SettingFlag<K extends SettingName> = {
  readonly type: "string";
  readonly multiple: (typeof SETTINGS)[K] extends { kind: "plugins" } ? true : false;
  readonly value: string;
  readonly help: string;
};

/** Every setting as a flag: `--plugin` repeats, the others take one value. */
export const SETTING_FLAGS: { readonly [K in SettingName]: SettingFlag<K> } = Object.fromEntries(
  Object.entries(SETTINGS).map(([name, s]) => [
    name,
    {
      type: "string",
      multiple: "kind" in s && s.kind === "plugins",
      value: s.value,
      help: s.help,
    } satisfies FlagSpec,
  ]),
) as { readonly [K in SettingName]: SettingFlag<K> };

/** The settings among parsed flag values. */
export function settingsOf(values: Record<string, unknown>): SettingValues {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS)) {
    if (values[name] !== undefined) out[name] = values[name];
  }
  return out as SettingValues;
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * The permissions of a command that trains: read the project, the data
 * cache and the CPU's flags, write the cache, load oneDNN (FFI), read the CPU model and load, and
 * reach the CIFAR-10 host.
 */
export function trainingBase(where: Where): Permissions {
  const cache = where.cacheDir === undefined ? [] : [resolve(where.cacheDir)];
  return grant(NONE, {
    // /proc/cpuinfo: the CPU's vector extensions, part of `auto`'s cache key (backends/cpu_facts.ts).
    read: [where.root, ...cache, "/proc/cpuinfo"],
    write: cache,
    ffi: true,
    // hostname: the holder a run directory's lock names (rundir/run_lock.ts).
    sys: ["cpus", "hostname"],
    net: dataGrants(undefined, where).net,
  });
}

/**
 * A training command's permissions from its setting flags: {@linkcode trainingBase},
 * the output folder (`--out`, default `runs`), the `--data` source and `--plugin` files.
 */
export function settingsGrants(values: SettingValues, where: Where): Permissions {
  const out = resolve(where.cwd, typeof values.out === "string" ? values.out : "runs");
  const data = typeof values.data === "string" ? dataGrants(values.data, where) : undefined;
  const plugins = [values.plugin ?? []].flat().map((f) => resolve(where.cwd, f));
  return grant(trainingBase(where), {
    read: [out, ...data?.read ?? [], ...plugins],
    write: [out],
    net: data?.net,
  });
}

/** Read (and for the output, write) what an experiment file names: its folder, data, plugins, out. */
export async function experimentGrants(
  target: string,
  where: Where,
  outGiven: boolean,
): Promise<Partial<Permissions>> {
  const file = resolve(where.cwd, target);
  // A bare name that is not a file here is a built-in experiment, inside the project.
  if (!/[\\/]/.test(target) && !await exists(file)) return {};
  const named = await experimentFiles(file, where.cwd);
  const data = dataGrants(named.data, where);
  const out = !outGiven && named.out !== undefined ? [named.out] : [];
  return {
    read: [dirname(file), ...named.files.map(dirname), ...named.plugins, ...data.read, ...out],
    write: out,
    net: data.net,
  };
}

/**
 * Read and write a run directory, and read what its config.yaml records: the
 * data it trained on and, with `plugins`, its plugin files (`--resume`, a
 * sweep member, `evaluate --trust-plugins`; without it the files are not even
 * readable, so nothing can import them).
 */
export async function runDirGrants(
  dir: string,
  where: Where,
  options: { write: boolean; data: boolean; plugins: boolean },
): Promise<Partial<Permissions>> {
  const at = resolve(where.cwd, dir);
  const recorded = await runFiles(at, where.cwd);
  const data = options.data ? dataGrants(recorded.data, where) : { read: [], net: [] };
  return {
    read: [at, ...options.plugins ? recorded.plugins : [], ...data.read],
    write: options.write ? [at] : [],
    net: data.net,
  };
}
