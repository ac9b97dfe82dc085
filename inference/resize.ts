import type { RgbImage } from "./image.ts";

/**
 * An RGB image at `width` × `height`: each output pixel is the mean of the
 * source area it covers (exact for shrinking, so a large photo does not
 * alias), and bilinear between pixel centres where the image grows. Values
 * are rounded to bytes, as if the image had been saved at that size, so the
 * model sees bytes normalised exactly as in training.
 *
 * @example
 * ```ts
 * import { resizeImage } from "./resize.ts";
 * const img = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
 * console.log(resizeImage(img, 1, 1).data); // Uint8Array(3) [ 128, 128, 128 ]
 * ```
 * @throws {RangeError} for a target size that is not a positive integer.
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  for (const [k, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot resize an image: '${k}' must be an integer >= 1, got ${v}`);
    }
  }
  if (image.width === width && image.height === height) return image;
  const xs = weights(image.width, width), ys = weights(image.height, height);
  const out = new Uint8Array(width * height * 3);
  const src = image.data, rowLen = image.width * 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (const [sy, wy] of ys[y]) {
          for (const [sx, wx] of xs[x]) sum += wy * wx * src[sy * rowLen + sx * 3 + c];
        }
        out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return { width, height, data: out };
}

/** Per output index, the source indices and weights (summing to 1) along one axis. */
function weights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    if (scale <= 1) {
      // Growing: bilinear between the two nearest source centres (half-pixel centres).
      const at = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
      const lo = Math.floor(at), hi = Math.min(lo + 1, from - 1), t = at - lo;
      return t === 0 || lo === hi ? [[lo, 1]] : [[lo, 1 - t], [hi, t]];
    }
    // Shrinking: the area [i·scale, (i+1)·scale) of the source, partial pixels weighted.
    const start = i * scale, end = (i + 1) * scale, out: [number, number][] = [];
    for (let s = Math.floor(start); s < Math.min(Math.ceil(end), from); s++) {
      const w = Math.min(end, s + 1) - Math.max(start, s);
      if (w > 0) out.push([s, w / scale]);
    }
    return out;
  });
}
