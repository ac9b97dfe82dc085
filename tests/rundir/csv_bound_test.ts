import assert from "node:assert/strict";
import { FileBoundError } from "../../core/bounded_read.ts";
import { readHistory } from "../../rundir/tables.ts";

Deno.test("readHistory() refuses a FIFO named history.csv without reading it, naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/history.csv`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    await assert.rejects(
      () => readHistory(fifo),
      (e: Error) => e instanceof FileBoundError && e.message.includes(fifo),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
