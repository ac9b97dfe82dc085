/**
 * Image files a model classifies: PNG (fast-png) and JPEG (jpeg-js), both
 * pure JavaScript, so decoding needs no native library, no WebAssembly file
 * to fetch and no permission beyond reading the file.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from "fast-png";
import jpeg from "jpeg-js";

/** An 8-bit RGB image, row-major HWC: `width * height * 3` bytes. */
export interface RgbImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Red, green, blue per pixel, rows top to bottom. */
  readonly data: Uint8Array;
}

/** A file that is not a PNG or JPEG image this can decode; the message names the file. */
export class ImageDecodeError extends UserError {
  /** `"ImageDecodeError"`, as printed before the message. */
  override name = "ImageDecodeError";
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const starts = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

/**
 * Decodes a PNG or JPEG file's bytes to RGB, whatever its kind (grey, palette,
 * 16-bit, with alpha: alpha is dropped). `name` (the file) is in every error.
 *
 * @example
 * ```ts
 * import { encode } from "fast-png";
 * import { decodeImage } from "./image.ts";
 * const png = encode({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]), channels: 3 });
 * console.log(decodeImage(png, "red.png").data); // Uint8Array(3) [ 255, 0, 0 ]
 * ```
 * @throws {ImageDecodeError} for an empty file, one that is neither PNG nor
 *   JPEG, or one its decoder rejects (truncated, corrupt).
 */
export function decodeImage(bytes: Uint8Array, name: string): RgbImage {
  if (bytes.length === 0) {
    throw new ImageDecodeError(`Cannot read image '${name}': the file is empty`);
  }
  if (starts(bytes, PNG_SIGNATURE)) return fromPng(bytes, name);
  if (starts(bytes, [0xff, 0xd8, 0xff])) return fromJpeg(bytes, name);
  const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ImageDecodeError(
    `Cannot read image '${name}': not a PNG or JPEG file (it starts with bytes ${head})`,
  );
}

function fromPng(bytes: Uint8Array, name: string): RgbImage {
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new ImageDecodeError(`Cannot decode '${name}' as PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  if (png.palette) {
    const channels = png.palette[0]?.length ?? 3;
    return { width, height, data: toRgb(convertIndexedToRgb(png), width * height, channels) };
  }
  const samples = unpack(png.data, png.depth, width * png.channels, height);
  return { width, height, data: toRgb(samples, width * height, png.channels) };
}

function fromJpeg(bytes: Uint8Array, name: string): RgbImage {
  try {
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxMemoryUsageInMB: 1024,
    });
    if (img.data.length !== img.width * img.height * 3) {
      throw new Error(`decoded ${img.data.length} bytes for ${img.width}x${img.height} pixels`);
    }
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new ImageDecodeError(`Cannot decode '${name}' as JPEG: ${(e as Error).message}`);
  }
}

/** Samples as bytes: 16-bit ones keep their high byte; 1, 2 and 4-bit rows are unpacked and scaled. */
function unpack(data: ArrayLike<number>, depth: number, perRow: number, rows: number): Uint8Array {
  if (depth === 8) return data instanceof Uint8Array ? data : Uint8Array.from(data);
  if (depth === 16) return Uint8Array.from(data as ArrayLike<number>, (v) => v >> 8);
  const out = new Uint8Array(perRow * rows), rowBytes = Math.ceil((perRow * depth) / 8);
  const max = (1 << depth) - 1;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth, byte = data[r * rowBytes + (bit >> 3)];
      out[r * perRow + i] = Math.round((((byte >> (8 - depth - (bit & 7))) & max) * 255) / max);
    }
  }
  return out;
}

function toRgb(samples: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 3) return samples;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      // Grey (1, 2 channels) goes to all three; RGBA keeps RGB.
      out[p * 3 + c] = samples[p * channels + (channels < 3 ? 0 : c)];
    }
  }
  return out;
}
