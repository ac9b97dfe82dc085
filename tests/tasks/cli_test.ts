import assert from "node:assert/strict";
import { main } from "../../tasks/cli.ts";

Deno.test("deno task suite validates every member before training any", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = `${Deno.cwd()}/experiment/builtin/paper-recipe.yaml`;
    await Deno.writeTextFile(
      `${dir}/good.yaml`,
      `extends: ${recipe}\nname: good\nmodel: baseline_cnn\n`,
    );
    await Deno.writeTextFile(
      `${dir}/bad.yaml`,
      `extends: ${recipe}\nname: bad\nmodel: baseline_cnn\nplugins:\n  - name: ablations/no-skip\n`,
    );
    await Deno.writeTextFile(
      `${dir}/typo.yaml`,
      `extends: ${recipe}\nname: typo\nmodel: resnt18\n`,
    );
    await Deno.writeTextFile(
      `${dir}/suite.yaml`,
      "name: s\nmembers: [good.yaml, bad.yaml, typo.yaml]\n",
    );
    await assert.rejects(
      () => main(["suite", `${dir}/suite.yaml`, "--data", "synthetic", "--out", `${dir}/runs`]),
      (e: Error) => {
        assert.match(e.message, /bad\.yaml:5:5: plugins\[0\]: .*needs a residual spec/);
        assert.match(e.message, /typo\.yaml:3:1: model: Unknown model 'resnt18'/);
        return true;
      },
    );
    await assert.rejects(() => Deno.stat(`${dir}/runs`), Deno.errors.NotFound, "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task suite --resume refuses flags: a suite resumes with the flags it started with", async () => {
  await assert.rejects(
    () => main(["suite", "--resume", "runs/any", "--epochs", "2", "--limit", "64"]),
    /suite --resume: --epochs, --limit cannot be given/,
  );
});

Deno.test("deno task train --resume takes no model and names a missing run directory", async () => {
  await assert.rejects(() => main(["train", "resnet18", "--resume", "runs/x"]), /drop 'resnet18'/);
  await assert.rejects(
    () => main(["train", "--resume", "no/such/run"]),
    /--resume no\/such\/run: not a run directory \(it has no config\.yaml\)/,
  );
});

Deno.test("main() refuses a flag the command does not take, with a did-you-mean among its own flags", async () => {
  await assert.rejects(() => main(["train", "baseline_cnn", "--port", "9999"]), {
    name: "UsageError",
    message: /^train: Unknown flag '--port'\..* Available: --epochs,/,
  });
  await assert.rejects(() => main(["serve", "--epochs", "3"]), {
    name: "UsageError",
    message: /^serve: Unknown flag '--epochs'.* Available: --port, --host, --poll, --help$/,
  });
  await assert.rejects(() => main(["trian"]), /Unknown command 'trian'\. Did you mean 'train'\?/);
});

Deno.test("runAndExit() tells user errors (exit 2, no stack) from bugs (exit 1, with the stack)", async () => {
  const run = async (code: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      env: { NO_COLOR: "1" },
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const cli = JSON.stringify(new URL("../../tasks/cli.ts", import.meta.url).href);
  const user = await run(
    `const { runAndExit } = await import(${cli}); await runAndExit(["train"]);`,
  );
  assert.equal(user.code, 2);
  assert.match(user.stderr, /^error: train: give one model name or experiment file/);
  assert.doesNotMatch(user.stderr, /\n\s+at /);
  // A TypeError raised inside skiplab is a bug, not the user's mistake: its stack is shown.
  const bug = await run(
    `const { runAndExit } = await import(${cli}); const { COMMANDS } = await import(${
      JSON.stringify(new URL("../../tasks/table.ts", import.meta.url).href)
    }); COMMANDS[4].run = () => { null.x; }; await runAndExit(["models"]);`,
  );
  assert.equal(bug.code, 1, bug.stderr);
  assert.match(bug.stderr, /error: Cannot read properties of null/);
  assert.match(bug.stderr, /\n\s+at /);
});
