import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { decodeImage, ImageDecodeError, resizeImage } from "../../inference/mod.ts";

const RGB = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]); // 2×2

Deno.test("decodeImage() reads PNGs of every colour type as RGB", () => {
  const rgb = decodeImage(encodePng({ width: 2, height: 2, data: RGB, channels: 3 }), "rgb.png");
  assert.deepEqual([rgb.width, rgb.height, [...rgb.data]], [2, 2, [...RGB]]);
  const rgba = new Uint8Array(16).map((_, i) => (i % 4 === 3 ? 7 : RGB[i - Math.floor(i / 4)]));
  assert.deepEqual(
    [...decodeImage(encodePng({ width: 2, height: 2, data: rgba, channels: 4 }), "a.png").data],
    [...RGB],
  );
  const grey = decodeImage(
    encodePng({ width: 2, height: 1, data: new Uint8Array([0, 200]), channels: 1 }),
    "g.png",
  );
  assert.deepEqual([...grey.data], [0, 0, 0, 200, 200, 200]);
  const deep = decodeImage(
    encodePng({
      width: 1,
      height: 1,
      data: new Uint16Array([0x1234, 0xff00, 0x00ff]),
      depth: 16,
      channels: 3,
    }),
    "16.png",
  );
  assert.deepEqual([...deep.data], [0x12, 0xff, 0x00]);
  const bits = decodeImage(
    encodePng({ width: 3, height: 1, data: new Uint8Array([0b10100000]), depth: 1, channels: 1 }),
    "1bit.png",
  );
  assert.deepEqual([...bits.data], [255, 255, 255, 0, 0, 0, 255, 255, 255]);
  const palette = decodeImage(
    encodePng({
      width: 2,
      height: 1,
      data: new Uint8Array([1, 0]),
      depth: 8,
      channels: 1,
      palette: [[9, 8, 7], [1, 2, 3]],
    }),
    "p.png",
  );
  assert.deepEqual([...palette.data], [1, 2, 3, 9, 8, 7]);
});

Deno.test("decodeImage() reads a JPEG within its compression error", () => {
  const flat = new Uint8Array(8 * 8 * 4).map((_, i) => (i % 4 === 3 ? 255 : [200, 100, 50][i % 4]));
  const img = decodeImage(jpeg.encode({ width: 8, height: 8, data: flat }, 95).data, "x.jpg");
  assert.equal(img.data.length, 8 * 8 * 3);
  for (let i = 0; i < img.data.length; i++) {
    assert.ok(Math.abs(img.data[i] - [200, 100, 50][i % 3]) <= 3, `byte ${i}: ${img.data[i]}`);
  }
});

Deno.test("decodeImage() names the file of an empty, foreign, corrupt or truncated image", () => {
  const png = encodePng({ width: 2, height: 2, data: RGB, channels: 3 });
  const jpg = jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(90) }, 90).data;
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array(), "e.png", /'e\.png': the file is empty/],
    [new TextEncoder().encode("GIF89a..."), "x.gif", /'x\.gif': not a PNG or JPEG .*47 49 46 38/],
    [png.slice(0, 30), "cut.png", /Cannot decode 'cut\.png' as PNG/],
    [jpg.slice(0, 40), "cut.jpg", /Cannot decode 'cut\.jpg' as JPEG/],
  ];
  for (const [bytes, name, message] of cases) {
    assert.throws(() => decodeImage(bytes, name), (e: Error) => {
      assert.ok(e instanceof ImageDecodeError, `${name}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("resizeImage() averages areas when shrinking and interpolates when growing", () => {
  const img = {
    width: 4,
    height: 1,
    data: new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 40, 40, 40]),
  };
  assert.deepEqual([...resizeImage(img, 2, 1).data], [50, 50, 50, 120, 120, 120]);
  const two = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 200, 200, 200]) };
  assert.deepEqual([...resizeImage(two, 4, 1).data].filter((_, i) => i % 3 === 0), [
    0,
    50,
    150,
    200,
  ]);
  assert.equal(resizeImage(img, 4, 1), img);
  assert.throws(() => resizeImage(img, 0, 1), /'width' must be an integer >= 1, got 0/);
});
