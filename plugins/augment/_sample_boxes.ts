/** Shared by flip and random crop: exact pixel resampling through crop boxes. */
import * as tf from "@tensorflow/tfjs";

/** How each image is resampled. */
export interface Placement {
  /** Row and column offsets of the window, two per image; outside the image reads `fill`. */
  readonly offsets?: Int32Array;
  /** 1 for the images to mirror left–right. */
  readonly mirror?: Uint8Array;
  /** Value read outside the image. */
  readonly fill?: number;
}

/**
 * Resamples each image at its own size through a shifted and optionally
 * mirrored window, with nearest-neighbour lookup so that pixels are copied
 * exactly. One `cropAndResize` is several times faster on the cpu backend
 * than a gather, a pad or a reverse.
 */
export function sampleBoxes(xs: tf.Tensor4D, placement: Placement): tf.Tensor4D {
  const [n, h, w] = xs.shape;
  const { offsets, mirror, fill = 0 } = placement;
  // Boxes are in units of (size − 1); shrinking each by a thousandth of a pixel keeps
  // rounding error from pushing border pixels outside the image.
  const e = 1e-3, boxes = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const dy = offsets?.[2 * i] ?? 0, dx = offsets?.[2 * i + 1] ?? 0;
    const y1 = (dy + e) / (h - 1), y2 = (dy + h - 1 - e) / (h - 1);
    const xa = (dx + e) / (w - 1), xb = (dx + w - 1 - e) / (w - 1);
    boxes.set(mirror?.[i] ? [y1, xb, y2, xa] : [y1, xa, y2, xb], i * 4);
  }
  return tf.tidy(() =>
    tf.image.cropAndResize(
      xs,
      tf.tensor2d(boxes, [n, 4]),
      tf.range(0, n, 1, "int32") as tf.Tensor1D,
      [h, w],
      "nearest",
      fill,
    )
  );
}
