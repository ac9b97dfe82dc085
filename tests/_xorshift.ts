/**
 * The tests' one deterministic generator: xorshift32 from a seed, as unrounded
 * numbers in [-1, 1). tests/fixtures/references/make_sgd_reference.py draws
 * the same sequence, so Python references and TypeScript inputs agree bit for bit.
 *
 * @module
 */

/** `size` values in [-1, 1) from xorshift32 seeded with `seed`, each `f(v)` before it is stored. */
export function xorshift(
  size: number,
  seed: number,
  f: (v: number) => number = (v) => v,
): Float32Array {
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = f(((s >>> 0) / 4294967296) * 2 - 1);
  }
  return out;
}
