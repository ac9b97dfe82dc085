/**
 * A small seeded pseudo-random generator (sfc32) whose whole state is four
 * 32-bit integers, so a checkpoint can save it and a resumed run continues the
 * exact same stream.
 *
 * @example Same seed, same stream
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(7), b = new Rng(7);
 * if (a.next() !== b.next()) throw new Error("not deterministic");
 * ```
 */
export class Rng {
  #s: Uint32Array;

  /** Seeds the stream; any finite number works, equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Cannot seed Rng: seed must be finite, got ${seed}`);
    }
    this.#s = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0]);
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.#s[0] ^= hi;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A new generator whose stream is independent of this one's future. */
  fork(): Rng {
    const r = new Rng(0);
    r.setState([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
    return r;
  }

  /** The state, for checkpoints. */
  getState(): number[] {
    return Array.from(this.#s);
  }

  /** Restores a state from {@linkcode Rng.getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 4) {
      throw new RangeError(`Cannot restore Rng: state must have 4 words, got ${state.length}`);
    }
    this.#s = new Uint32Array(state);
  }
}
