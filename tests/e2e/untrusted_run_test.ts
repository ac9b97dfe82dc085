/**
 * A run directory may come from anyone: `evaluate` imports none of its plugin
 * files unless `--trust-plugins` (through the real task, whose launcher then
 * does not even grant reading them); on a read-only run it prints the results
 * and then says they could not be saved; `export` onto a file is a one-line
 * error; a disk that fills up mid-run gives its message without a stack.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUICK = ["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.25"];

async function task(args: string[], via: "task" | "cli" = "task") {
  const r = await new Deno.Command(Deno.execPath(), {
    args: via === "task" ? ["task", ...args] : ["run", "-A", "tasks/cli.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

async function onlyRun(out: string): Promise<string> {
  for await (const e of Deno.readDir(out)) return `${out}/${e.name}`;
  throw new Error(`no run in ${out}`);
}

const canMount = await new Deno.Command("unshare", { args: ["-rm", "true"], stderr: "null" })
  .output().then((o) => o.success, () => false);

/** A plugin file that says so on stderr as it is imported. */
const LOUD = `console.error("PLUGIN FILE IMPORTED");
export default {
  name: "loud",
  schema: { parse: (v) => v ?? {}, safeParse: (v) => ({ success: true, data: v ?? {} }) },
  create: () => ({ name: "loud" }),
};
`;

Deno.test("deno task evaluate imports a run's plugin files only with --trust-plugins, and says so", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "skiplab-untrusted-" });
  try {
    await Deno.writeTextFile(`${tmp}/loud.ts`, LOUD);
    const trained = await task([
      "train",
      "baseline_cnn",
      ...QUICK,
      "--out",
      `${tmp}/runs`,
      "--plugin",
      `${tmp}/loud.ts`,
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /PLUGIN FILE IMPORTED/);
    const dir = await onlyRun(`${tmp}/runs`);

    const untrusted = await task(["evaluate", dir]);
    assert.equal(untrusted.code, 0, untrusted.stderr);
    assert.doesNotMatch(untrusted.stderr, /PLUGIN FILE IMPORTED/);
    assert.match(
      untrusted.stderr,
      new RegExp(`not importing the run's plugin file ${tmp}/loud\\.ts \\(pass --trust-plugins`),
    );
    assert.match(untrusted.stdout, /accuracy/);

    const trusted = await task(["evaluate", dir, "--trust-plugins", "--name", "trusted"]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stderr, /PLUGIN FILE IMPORTED/);

    // export onto a file: one line, exit 2, the file untouched.
    await Deno.writeTextFile(`${tmp}/a-file`, "keep");
    const exported = await task(["export", dir, "--out", `${tmp}/a-file`]);
    assert.equal(exported.code, 2, exported.stderr);
    assert.match(exported.stderr, /error: export --out: '.*a-file' exists and is not a folder/);
    assert.doesNotMatch(exported.stderr, /\n\s+at /);
    assert.equal(await Deno.readTextFile(`${tmp}/a-file`), "keep");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test({
  name: "evaluate on a read-only run prints its results, then says they could not be saved",
  ignore: !canMount,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "skiplab-ro-" });
    try {
      const trained = await task(
        ["train", "baseline_cnn", ...QUICK, "--out", `${tmp}/runs`],
        "cli",
      );
      assert.equal(trained.code, 0, trained.stderr);
      const dir = await onlyRun(`${tmp}/runs`);
      const cli = [Deno.execPath(), "run", "-A", "tasks/cli.ts", "evaluate", dir]
        .map((a) => `'${a}'`).join(" ");
      const script =
        `mount --bind '${dir}' '${dir}' && mount -o remount,ro,bind '${dir}' && ${cli}`;
      const r = await new Deno.Command("unshare", {
        args: ["-rm", "sh", "-c", script],
        cwd: ROOT,
      }).output();
      const stdout = new TextDecoder().decode(r.stdout),
        stderr = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 2, stderr);
      assert.match(stdout, /loss \d\.\d{4} {2}accuracy \d+\.\d\d%/);
      assert.match(
        stderr,
        /error: evaluate: the results above could not be saved to '.*evaluations\/best-synthetic\/': the run directory is read-only/,
      );
      assert.doesNotMatch(stderr, /\n\s+at /);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a disk that fills up in the middle of a run gives its message without a stack, keeping what was saved",
  ignore: !canMount,
  async fn() {
    const mnt = await Deno.makeTempDir({ prefix: "skiplab-full-" });
    try {
      const out = `${mnt}/runs`;
      const cli = [
        Deno.execPath(),
        "run",
        "-A",
        "tasks/cli.ts",
        "train",
        "baseline_cnn",
        ...QUICK.slice(0, 4),
        "--epochs",
        "3",
        "--width",
        "0.25",
        "--out",
        out,
        "--plugin",
        `${ROOT}tests/fixtures/plugins/fills_disk.ts`,
      ].map((a) => `'${a}'`).join(" ");
      const script = `mount -t tmpfs -o size=8m tmpfs '${mnt}' && cd '${ROOT}' && ` +
        `SKIPLAB_TEST_FILL='${mnt}/filler' ${cli}; code=$?; ` +
        `echo "history:$(cat '${out}'/*/history.csv | wc -l)" >&2; exit $code`;
      const r = await new Deno.Command("unshare", { args: ["-rm", "sh", "-c", script] }).output();
      const stderr = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 2, stderr);
      assert.match(stderr, /error: .*No space left on device/);
      assert.doesNotMatch(stderr, /\n\s+at /, "no stack");
      // What was saved before the disk filled is kept: the header and the first epoch.
      assert.match(stderr, /^history:2$/m);
    } finally {
      await Deno.remove(mnt, { recursive: true });
    }
  },
});
