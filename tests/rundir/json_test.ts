import assert from "node:assert/strict";
import { readJsonFile } from "../../rundir/_json.ts";

Deno.test("readJsonFile() refuses a FIFO in a run directory by name instead of waiting on it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/summary.json`] }).output();
    assert.equal(made.code, 0);
    await assert.rejects(() => readJsonFile(`${dir}/summary.json`), {
      name: "FileBoundError",
      message: /summary\.json'.*not a regular file/,
    });
    await Deno.writeTextFile(`${dir}/state.json`, "{ not json");
    await assert.rejects(() => readJsonFile(`${dir}/state.json`), SyntaxError);
    await assert.rejects(() => readJsonFile(`${dir}/none.json`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
