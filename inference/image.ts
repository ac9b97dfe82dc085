/**
 * Image files a model classifies: PNG (fast-png) and JPEG (jpeg-js), both
 * pure JavaScript, so decoding needs no native library, no WebAssembly file
 * to fetch and no permission beyond reading the file.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { FILE_BOUNDS, readBoundedFile } from "../core/bounded_read.ts";
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

/**
 * Most pixels an image may declare: 2^25 (about 33.5 megapixels, e.g.
 * 5792x5792). A PNG or JPEG header states its size before any pixel is
 * decoded, so a decompression bomb (a 389 kB PNG declaring 20000x20000) is
 * refused from its header, before memory is spent on it.
 */
export const MAX_IMAGE_PIXELS = 2 ** 25;

/** Most bytes an image file may hold (64 MiB). */
export const MAX_IMAGE_BYTES: number = FILE_BOUNDS.image;

/**
 * The bytes of the image file `path`: a regular file (never a FIFO or a
 * device such as /dev/zero) of at most {@linkcode MAX_IMAGE_BYTES}.
 * @throws {UserError} naming the file and the bound it breaks.
 */
export function readImageFile(path: string): Promise<Uint8Array> {
  return readBoundedFile(path, MAX_IMAGE_BYTES, "image");
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

/** Refuses a declared size over {@linkcode MAX_IMAGE_PIXELS}, naming the file. */
function checkPixels(width: number, height: number, name: string): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageDecodeError(
      `Cannot read image '${name}': it declares ${width}x${height} pixels, more than the ` +
        `${MAX_IMAGE_PIXELS} (2^25) an image may have`,
    );
  }
}

function fromPng(bytes: Uint8Array, name: string): RgbImage {
  // The IHDR chunk comes first: its length (4 bytes) and type, then width and height, big-endian.
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR") {
    checkPixels(head.getUint32(16), head.getUint32(20), name);
  }
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
  const size = jpegSize(bytes);
  if (size) checkPixels(size[0], size[1], name);
  try {
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxMemoryUsageInMB: 1024,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
    });
    if (img.data.length !== img.width * img.height * 3) {
      throw new Error(`decoded ${img.data.length} bytes for ${img.width}x${img.height} pixels`);
    }
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new ImageDecodeError(`Cannot decode '${name}' as JPEG: ${(e as Error).message}`);
  }
}

/** Width and height from a JPEG's first start-of-frame marker, or undefined when it has none. */
function jpegSize(b: Uint8Array): [number, number] | undefined {
  let at = 2;
  while (at + 9 < b.length && b[at] === 0xff) {
    const marker = b[at + 1];
    const length = (b[at + 2] << 8) | b[at + 3];
    // SOF0–SOF15 but DHT (c4), JPG (c8) and DAC (cc): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return [(b[at + 7] << 8) | b[at + 8], (b[at + 5] << 8) | b[at + 6]];
    }
    at += 2 + length;
  }
  return undefined;
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
