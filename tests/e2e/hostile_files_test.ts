/**
 * Files a hostile user may hand to `deno task predict`, through the real
 * task: a PNG decompression bomb is refused from its header, a FIFO and
 * /dev/zero are refused without being read, and the good image beside them
 * is still classified.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encode } from "fast-png";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function task(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

/** A PNG's signature and an IHDR chunk declaring `width`x`height` RGBA, and no pixels. */
function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 6, 0, 0, 0], 24);
  return b;
}

Deno.test({
  name:
    "deno task predict refuses a PNG bomb, a FIFO and /dev/zero by name and still classifies the good image",
  ignore: Deno.build.os === "windows", // no FIFOs, no /dev/zero
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "skiplab-hostile-" });
    try {
      const trained = await task([
        "train",
        "baseline_cnn",
        ...["--data", "synthetic", "--limit", "64", "--epochs", "1", "--width", "0.25"],
        ...["--out", tmp, "--backend", "cpu"],
      ]);
      assert.equal(trained.code, 0, trained.stderr);
      const run = [...Deno.readDirSync(tmp)].find((e) => e.isDirectory)!.name;
      const good = `${tmp}/good.png`, bomb = `${tmp}/bomb.png`, fifo = `${tmp}/x.png`;
      const pixels = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 7) % 256);
      await Deno.writeFile(good, encode({ width: 32, height: 32, data: pixels, channels: 3 }));
      await Deno.writeFile(bomb, pngHeader(25000, 25000));
      const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.equal(mk.code, 0);
      const r = await task(["predict", `${tmp}/${run}`, bomb, fifo, "/dev/zero", good]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, new RegExp(`^${good}: \\w+ \\d`, "m"));
      assert.match(
        r.stderr,
        /error: Cannot read image '.*bomb\.png': it declares 25000x25000 pixels, more than the 33554432/,
      );
      assert.match(r.stderr, /error: Cannot read image '.*x\.png': it is not a regular file/);
      assert.match(r.stderr, /error: Cannot read image '\/dev\/zero': it is not a regular file/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("deno task train names an alias bomb's file and bound in one line, without a stack", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "skiplab-hostile-" });
  try {
    const file = `${tmp}/bomb.yaml`;
    const rows = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [..."abcdefg"].slice(0, -1).map((c, i) => [c, "bcdefg"[i]])) {
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    await Deno.writeTextFile(file, rows.join("\n") + "\n");
    const r = await task(["train", file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: ${file}: its aliases expand too far \\(more than 100 `),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
