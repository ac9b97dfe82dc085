import assert from "node:assert/strict";
import { FileBoundError, readBoundedFile } from "../../core/bounded_read.ts";

Deno.test("readBoundedFile() reads a regular file within its bound, whole", async () => {
  const f = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(f, "abc");
    assert.deepEqual(await readBoundedFile(f, 3, "image"), new TextEncoder().encode("abc"));
  } finally {
    await Deno.remove(f);
  }
});

Deno.test("readBoundedFile() refuses a file over its bound, naming the file and the bound", async () => {
  const f = await Deno.makeTempFile();
  try {
    await Deno.writeFile(f, new Uint8Array(2048));
    await assert.rejects(() => readBoundedFile(f, 1024, "image"), {
      name: "FileBoundError",
      message: `Cannot read image '${f}': it holds 2 KiB; image files are bounded at 1 KiB`,
    });
  } finally {
    await Deno.remove(f);
  }
});

Deno.test({
  name: "readBoundedFile() refuses a FIFO and /dev/zero without reading them",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      assert.equal((await new Deno.Command("mkfifo", { args: [`${dir}/p`] }).output()).code, 0);
      for (const path of [`${dir}/p`, "/dev/zero"]) {
        await assert.rejects(
          () => readBoundedFile(path, 1024, "image"),
          (e) => e instanceof FileBoundError && /is not a regular file/.test(e.message),
        );
      }
      await assert.rejects(() => readBoundedFile(dir, 1024, "image"), /it is a folder/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
