/**
 * What the native backend keeps for the backward pass of Add: nothing when
 * both inputs share a shape (their gradients are dy's), both inputs when one
 * broadcasts (its gradient sums over the broadcast axes), as tfjs does.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { ignore } from "../_compare.ts";

/**
 * Gradient of Σ(a + b)·r with a = 2v and b = 3·(v or v's first row), and how
 * many tensors disposing a and b freed while the tape still held the Add.
 */
function addStep(broadcast: boolean) {
  const v = tf.variable(tf.tensor2d([[1, 2, 3], [4, 5, 6]]));
  const r = tf.tensor2d([[1, -1, 2], [0.5, 3, -2]]);
  let freed = -1;
  const { value, grads } = tf.variableGrads(() => {
    const a = tf.mul(v, 2);
    const b = broadcast ? tf.mul(tf.slice(v, [0, 0], [1, 3]), 3) : tf.mul(v, 3);
    const s = tf.add(a, b);
    const before = tf.engine().backend.numDataIds();
    tf.dispose([a, b]);
    freed = before - tf.engine().backend.numDataIds();
    return tf.sum(tf.mul(s, r)) as tf.Scalar;
  }, [v]);
  const grad = Array.from(grads[v.name].dataSync());
  tf.dispose([value, r, v, ...Object.values(grads)]);
  return { freed, grad };
}

Deno.test({
  name:
    "native Add of one shape saves neither input (a residual sum frees its operands), with tfjs's gradient",
  ignore,
  async fn() {
    await tf.setBackend(NATIVE_BACKEND);
    const { freed, grad } = addStep(false);
    assert.equal(freed, 2);
    assert.deepEqual(grad, [5, -5, 10, 2.5, 15, -10]);
    await tf.setBackend("cpu");
    assert.equal(addStep(false).freed, 0, "tfjs's Add keeps both inputs");
  },
});

Deno.test({
  name: "native Add that broadcasts keeps its inputs and sums the broadcast operand's gradient",
  ignore,
  async fn() {
    await tf.setBackend(NATIVE_BACKEND);
    const { freed, grad } = addStep(true);
    assert.equal(freed, 0);
    // d/dv of Σ(2v + 3·v[0])·r: 2r, plus 3·Σ_rows r on the first row.
    assert.deepEqual(grad, [2 + 4.5, -2 + 6, 4 + 0, 1, 6, -4]);
    await tf.setBackend("cpu");
  },
});
