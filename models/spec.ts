/**
 * Architectures as data. A spec says what to build; one builder per family
 * turns it into a model. Ablations are functions from spec to spec.
 * @module
 */

/** Fields every architecture shares. */
export interface CommonSpec {
  /** Registered name, e.g. `resnet18`; also the model's name. */
  readonly name: string;
  /** Input shape without the batch axis, [height, width, channels]. */
  readonly inputShape: readonly [number, number, number];
  /** Number of classes of the softmax head. */
  readonly classes: number;
  /** Dropout rate before the dense classifier (paper: 0.5). */
  readonly dropout: number;
  /** Batch normalisation after each convolution. */
  readonly batchNorm: boolean;
}

/** One conv–BN–ReLU–max-pool block of a plain CNN. */
export interface PlainBlockSpec {
  /** Output channels of the convolution. */
  readonly filters: number;
  /** Side of the square convolution kernel, in pixels. */
  readonly kernelSize: number;
  /** 2×2 max pooling after the activation. */
  readonly pool: boolean;
}

/** A plain CNN: conv blocks, then global average pooling and the head. */
export interface PlainCnnSpec extends CommonSpec {
  /** Discriminant: a plain CNN without skip connections. */
  readonly family: "plain_cnn";
  /** Convolution blocks, input first. */
  readonly blocks: readonly PlainBlockSpec[];
}

/** One stage of a residual network. */
export interface StageSpec {
  /** Output width of the stage's blocks (before bottleneck expansion). */
  readonly filters: number;
  /** Residual blocks in the stage. */
  readonly blocks: number;
  /** Stride of the stage's first block. */
  readonly stride: number;
}

/** A residual network: stem, stages of blocks, global pooling and the head. */
export interface ResNetSpec extends CommonSpec {
  /** Discriminant: a residual network. */
  readonly family: "resnet";
  /** Basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 ×4) blocks. */
  readonly block: "basic" | "bottleneck";
  /** The stem: one k×k convolution, optionally followed by 3×3/2 max pooling. */
  readonly stem: {
    readonly filters: number;
    readonly kernelSize: number;
    readonly stride: number;
    readonly pool: boolean;
  };
  /** Stages of residual blocks, input first. */
  readonly stages: readonly StageSpec[];
  /** Skip connections; false removes every shortcut and its projection. */
  readonly skip: boolean;
  /**
   * The shortcut of a block that changes stride or width: a 1×1 convolution
   * with batch norm (`projection`), or subsampling and zero channels
   * (`zero_pad`, He et al. 2016's option A, without weights). @default "projection"
   */
  readonly shortcut?: "projection" | "zero_pad";
}

/** Any architecture skiplab can build. */
export type ModelSpec = PlainCnnSpec | ResNetSpec;
