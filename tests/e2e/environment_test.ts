import assert from "node:assert/strict";

const QUICK = ["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.25"];
const CLI = ["run", "-A", "tasks/cli.ts", "train", "baseline_cnn", ...QUICK];

// A user and mount namespace gives a test its own tmpfs, full or read-only, without root.
const canMount = await new Deno.Command("unshare", { args: ["-rm", "true"], stderr: "null" })
  .output().then((o) => o.success, () => false);

/**
 * Runs the CLI inside a fresh tmpfs mounted on a temporary folder with
 * `mountOptions`; returns its exit code, stderr, and what the folder held after.
 */
async function trainOnTmpfs(
  mountOptions: string,
): Promise<{ code: number; stderr: string; left: string; out: string }> {
  const mnt = await Deno.makeTempDir();
  try {
    const out = `${mnt}/runs`;
    const cli = [Deno.execPath(), ...CLI, "--out", out].map((a) => `'${a}'`).join(" ");
    const script = `mount -t tmpfs -o ${mountOptions} tmpfs '${mnt}' && cd '${Deno.cwd()}' && ` +
      `${cli}; code=$?; echo "left:$(ls -A '${mnt}')" >&2; exit $code`;
    const r = await new Deno.Command("unshare", { args: ["-rm", "sh", "-c", script] }).output();
    const stderr = new TextDecoder().decode(r.stderr);
    return { code: r.code, stderr, left: /left:(.*)$/m.exec(stderr)?.[1] ?? "?", out };
  } finally {
    await Deno.remove(mnt, { recursive: true });
  }
}

Deno.test({
  name: "deno task train on a read-only output folder fails at start naming it, before training",
  ignore: !canMount,
  async fn() {
    const r = await trainOnTmpfs("ro,size=1m");
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: Cannot write the run to '${r.out}/[^']+': the folder is read-only`),
    );
    assert.doesNotMatch(r.stderr, /epoch 1\/1|backend:|\n\s+at /);
    assert.equal(r.left, "");
  },
});

Deno.test({
  name: "deno task train on a full disk fails at start naming the folder, and leaves nothing",
  ignore: !canMount,
  async fn() {
    const r = await trainOnTmpfs("size=256k");
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: Cannot write the run to '${r.out}/[^']+': the disk is full`),
    );
    assert.doesNotMatch(r.stderr, /epoch 1\/1|backend:/);
    assert.equal(r.left, "", "the run folder it made is removed again");
  },
});

Deno.test("a plugin hook that throws is reported with the plugin's name and its own stack", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [...CLI, "--out", out, "--plugin", "./tests/fixtures/plugins/throws_in_setup.ts"],
      stdout: "null",
    }).output();
    const stderr = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 1, stderr);
    assert.match(
      stderr,
      /error: Plugin 'test\/throws-in-setup' failed in setup: the ledger is locked/,
    );
    assert.match(
      stderr,
      /at openTheLedger \(.*tests\/fixtures\/plugins\/throws_in_setup\.ts:\d+:\d+\)/,
    );
    const left = [];
    for await (const e of Deno.readDir(out)) left.push(e.name);
    assert.deepEqual(left, [], "a run that failed before its first epoch leaves no folder");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
