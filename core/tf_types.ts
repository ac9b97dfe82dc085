/**
 * Names for the tfjs types that skiplab's public API takes and returns, so
 * its documentation can link them. Each is exactly the tfjs type.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** A tfjs tensor of any rank (`tf.Tensor`). */
export type Tensor = tf.Tensor;
/** A rank-0 tfjs tensor (`tf.Scalar`). */
export type Scalar = tf.Scalar;
/** A rank-2 tfjs tensor (`tf.Tensor2D`), e.g. one-hot labels `[batch, classes]`. */
export type Tensor2D = tf.Tensor2D;
/** A rank-4 tfjs tensor (`tf.Tensor4D`), e.g. NHWC images `[batch, height, width, channels]`. */
export type Tensor4D = tf.Tensor4D;
/** A mutable tfjs tensor holding a trainable weight (`tf.Variable`). */
export type Variable = tf.Variable;
/** Tensors by name (`tf.NamedTensorMap`). */
export type NamedTensorMap = tf.NamedTensorMap;
/** A placeholder tensor of a functional model under construction (`tf.SymbolicTensor`). */
export type SymbolicTensor = tf.SymbolicTensor;
/** A tfjs layer (`tf.layers.Layer`). */
export type Layer = tf.layers.Layer;
/** A tfjs layers model (`tf.LayersModel`). */
export type LayersModel = tf.LayersModel;
/** A layer's serialisable configuration (`tf.serialization.ConfigDict`). */
export type ConfigDict = tf.serialization.ConfigDict;
/** Shapes, strides and padding of a 2-D convolution (`tf.backend_util.Conv2DInfo`). */
export type Conv2DInfo = tf.backend_util.Conv2DInfo;
/** A tfjs element type name (`tf.DataType`): `"float32"`, `"int32"`, `"bool"`, … */
export type DataType = tf.DataType;
