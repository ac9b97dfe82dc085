/**
 * Memory of the native kernels' outputs. tfjs frees a tensor by dropping its
 * array, which V8 returns to the system only at a later garbage collection: a
 * training step then holds gigabytes of dead activations, and every new
 * array costs fresh zeroed pages. The native backend instead allocates its
 * outputs with the C library's `aligned_alloc` and frees each as soon as tfjs
 * disposes its tensor, so memory is reused across sizes at once, as in
 * PyTorch. Where the C library cannot be opened, disposed arrays are kept in
 * a pool and handed to the next output of the same length.
 *
 * An array is freed (or pooled) only while nothing else can see it: arrays
 * read by `dataSync()`/`data()` (which return the backend's own array) and
 * arrays a kernel's output shares (cpu `Slice` returns views) are marked
 * escaped, and are freed when the garbage collector drops them.
 *
 * @module
 */

import { type Libc, libc as openC } from "../../../core/libc.ts";

const M_MMAP_THRESHOLD = -3;
const MADV_HUGEPAGE = 14;
/** Blocks from this size on are asked to live in 2 MB transparent huge pages. */
const HUGE_FROM = 4 << 20;
const HUGE_PAGE = 2 << 20;

/**
 * Linux's madvise, to ask for transparent huge pages: a freed block goes back
 * to the system and the next one is fresh pages, so a ResNet-18 step took
 * 240,000 page faults (0.6 s of system time) in 4 kB pages; 2 MB pages take 512
 * times fewer. Null elsewhere.
 */
function openMadvise(c: Libc): ((ptr: Deno.PointerValue, bytes: number) => void) | null {
  const madvise = c.madvise;
  if (Deno.build.os !== "linux" || madvise === null) return null;
  return (ptr, bytes) => void madvise(ptr, BigInt(bytes), MADV_HUGEPAGE);
}

/**
 * The C library for outputs in C memory, or null: without one, or once FFI is
 * revoked (a command that loads plugins revokes it after binding its
 * libraries, backends/native/seal.ts), since C memory becomes a JS array only
 * through `UnsafePointerView.getArrayBuffer`, which then throws.
 */
function openLibc(): Libc | null {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  const c = openC();
  // glibc: a fixed threshold keeps large blocks in their own mappings, so a
  // freed block goes back to the system at once (the default threshold grows
  // with the blocks freed and leaves them in a fragmented heap).
  c?.mallopt?.(M_MMAP_THRESHOLD, 1 << 18);
  return c;
}

interface NativeBlock {
  ptr: Deno.PointerValue;
  freed: boolean;
  escaped: boolean;
}

const ALIGN = 64;

/**
 * Output arrays of the native kernels: in C memory (or JS arrays without a C
 * library), recycled by length through a pool, so that a training step's
 * arrays, whose sizes repeat every step, come back from the pool instead of as
 * fresh pages (each a fault and zeroing: in resnet18's profile the
 * elementwise kernels, which write whole fresh outputs, took twice PyTorch's
 * time). The arrays in use and the pooled ones together stay within the
 * arrays in use's high-water mark (or `budgetBytes` while the mark is lower)
 * and `slackBytes` on top; beyond that the most recently pooled arrays are
 * freed (C memory at once), so the pool raises the peak by at most the slack.
 * Against a plain 128 MB budget, measured alternately on 2 vCPUs of an AMD
 * EPYC: resnet18 trained 3–10% faster (14 MB more peak RSS), baseline_cnn 10%
 * (same peak). The budget used to be kept beyond the mark too: resnet18 then
 * peaked in its second step's backward pass with 421 MB in use and 157 MB
 * pooled, above the 475 MB in use at the mark; without it its peak RSS went
 * from 796–826 to 756–773 MB, with as many page faults a step (1,200–2,900)
 * and no other model's peak moved (AMD EPYC with AVX2, 2 vCPUs).
 *
 * The slack is for steps whose sizes change from phase to phase: the forward
 * pass, the backward pass and the optimiser each want arrays of their own
 * lengths, and a pool held to the high-water mark evicts one phase's arrays to
 * make the next one's. resnet20 at batch 128 then took 49 fresh arrays a step
 * (6,200 page faults, 17 ms of system time), resnet56 83 (11,000, 50 ms); with
 * 64 MB of slack, 1 each, and resnet56 trained 20–25% faster for 40 MB more
 * peak RSS (2 vCPUs of an AMD EPYC Zen 5 with AVX512-BF16, alternating runs).
 */
export class BufferPool {
  #libc: Libc | null;
  readonly #madvise: ((ptr: Deno.PointerValue, bytes: number) => void) | null;
  readonly #blocks = new WeakMap<ArrayBufferLike, NativeBlock>();
  readonly #finalizer: FinalizationRegistry<NativeBlock>;
  readonly #bySize = new Map<number, Float32Array[]>();
  /** Pooled arrays, in the order they were given back. */
  readonly #pooled = new Set<Float32Array>();
  readonly #owned = new WeakSet<ArrayBufferLike>();
  #pooledBytes = 0;
  /** Bytes of arrays handed out and not given back or escaped, and their most so far. */
  #liveBytes = 0;
  #peakBytes = 0;
  /** Arrays handed out again from the pool, and arrays newly made. */
  readonly counts: { reused: number; fresh: number } = { reused: 0, fresh: 0 };

  /**
   * @param native Use C memory when the C library opens (else, or when false, JS arrays).
   * @param budgetBytes Bytes in use and pooled that the pool keeps to while the high-water
   *   mark of the bytes in use is lower. Reuse is speed: with a plain 32 MB pool baseline_cnn
   *   trained at 430 images/s against 520–670 with 128 MB (fresh pages fault and are zeroed).
   * @param slackBytes Bytes kept pooled beyond the high-water mark or the budget (see the
   *   class notes).
   */
  constructor(
    native = true,
    readonly budgetBytes: number = 2 ** 27,
    readonly slackBytes: number = 2 ** 26,
  ) {
    this.#libc = native ? openLibc() : null;
    this.#madvise = this.#libc === null ? null : openMadvise(this.#libc);
    const libc = this.#libc;
    this.#finalizer = new FinalizationRegistry((block) => {
      if (!block.freed && libc !== null) {
        block.freed = true;
        libc.free(block.ptr);
      }
    });
  }

  /** True when outputs live in C memory. */
  get native(): boolean {
    return this.#libc !== null;
  }

  /** An array of `n` floats whose contents are arbitrary (the caller overwrites all of them). */
  take(n: number): Float32Array {
    if (n === 0) return new Float32Array(0);
    const a = this.#bySize.get(n)?.pop();
    if (a !== undefined) {
      this.#pooled.delete(a);
      this.#pooledBytes -= a.byteLength;
      this.#liveBytes += a.byteLength;
      this.counts.reused++;
      return a;
    }
    this.counts.fresh++;
    this.#trim(this.#room(n * 4));
    this.#liveBytes += n * 4;
    this.#peakBytes = Math.max(this.#peakBytes, this.#liveBytes);
    if (this.#libc === null) {
      const fresh = new Float32Array(n);
      this.#owned.add(fresh.buffer);
      return fresh;
    }
    const bytes = n * 4;
    const huge = this.#madvise !== null && bytes >= HUGE_FROM;
    const align = huge ? HUGE_PAGE : ALIGN;
    const size = Math.ceil(bytes / align) * align;
    const ptr = this.#libc.aligned_alloc(BigInt(align), BigInt(size));
    if (ptr === null) throw new RangeError(`Cannot allocate ${bytes} bytes for a tensor`);
    if (huge) this.#madvise!(ptr, size);
    let buffer: ArrayBuffer;
    try {
      buffer = Deno.UnsafePointerView.getArrayBuffer(ptr, bytes);
    } catch (e) {
      // FFI was revoked since the pool was made (the process imported a plugin file and sealed
      // itself, backends/native/seal.ts): C memory no longer becomes an array; JS arrays from now.
      this.#libc.free(ptr);
      if (!(e instanceof Deno.errors.NotCapable)) throw e;
      this.#libc = null;
      const fresh = new Float32Array(n);
      this.#owned.add(fresh.buffer);
      return fresh;
    }
    const block = { ptr, freed: false, escaped: false };
    this.#blocks.set(buffer, block);
    this.#finalizer.register(buffer, block, block);
    return new Float32Array(buffer);
  }

  /** Pools `values` of a disposed tensor if this pool made it and it never escaped. */
  give(values: unknown): void {
    if (!(values instanceof Float32Array) || values.length === 0) return;
    const block = this.#blocks.get(values.buffer);
    if (block !== undefined) {
      if (block.escaped || block.freed || values.byteOffset !== 0) return;
      if (values.byteLength !== values.buffer.byteLength) return;
    } else if (!this.#owned.has(values.buffer) || values.byteOffset !== 0) {
      return;
    }
    let list = this.#bySize.get(values.length);
    if (list === undefined) this.#bySize.set(values.length, list = []);
    list.push(values);
    this.#pooled.add(values);
    this.#pooledBytes += values.byteLength;
    this.#liveBytes -= values.byteLength;
    this.#trim(this.#room(0));
  }

  /**
   * Bytes the pool may keep beside `more` new bytes in use: what the arrays in
   * use leave below their high-water mark (or below the budget while the mark
   * is lower), and its slack.
   */
  #room(more: number): number {
    return Math.max(this.#peakBytes, this.budgetBytes) - this.#liveBytes - more + this.slackBytes;
  }

  /**
   * Frees pooled arrays, the most recently given back first, until the pool
   * holds at most `room` bytes. A training step takes and gives back the same
   * arrays in the same order every step, so the array given back last is
   * wanted again last: dropping the newest keeps those the next step asks for
   * first (a cache over a loop does best evicting the most recently used; the
   * oldest-first order dropped each array just before it was wanted again).
   * resnet18 at batch 64 went from 9,300 to 5,600 page faults a step, 70–120
   * to 46–52 ms of system time (2 vCPUs of an AMD EPYC Zen 5 with AVX512-BF16).
   */
  #trim(room: number): void {
    if (this.#pooledBytes <= room) return;
    for (const a of [...this.#pooled].reverse()) {
      if (this.#pooledBytes <= room) break;
      this.#evict(a);
    }
  }

  #evict(a: Float32Array): void {
    this.#pooled.delete(a);
    this.#pooledBytes -= a.byteLength;
    const list = this.#bySize.get(a.length)!;
    list.splice(list.indexOf(a), 1);
    const block = this.#blocks.get(a.buffer);
    if (block === undefined) return; // A JS array: the garbage collector frees it.
    block.freed = true;
    this.#finalizer.unregister(block);
    this.#blocks.delete(a.buffer);
    this.#libc!.free(block.ptr);
  }

  /** Marks `values` (and any view of its memory) as visible outside the backend: never reused. */
  escape(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const block = this.#blocks.get(values.buffer);
    const ours = block !== undefined
      ? !block.escaped && !block.freed
      : this.#owned.has(values.buffer);
    if (ours) this.#liveBytes -= values.buffer.byteLength; // the garbage collector's from now on
    if (block !== undefined) block.escaped = true;
    this.#owned.delete(values.buffer);
  }

  /**
   * True when `values` is an array this pool handed out whole that nothing
   * outside the backend can see (not escaped, not freed): its owner may write
   * it again.
   */
  private(values: unknown): boolean {
    if (!(values instanceof Float32Array) || values.byteOffset !== 0) return false;
    if (values.byteLength !== values.buffer.byteLength) return false;
    const block = this.#blocks.get(values.buffer);
    return block !== undefined ? !block.escaped && !block.freed : this.#owned.has(values.buffer);
  }

  /** Bytes held in the pool. */
  get freeBytes(): number {
    return this.#pooledBytes;
  }

  /** Bytes of the arrays in use (handed out, not given back or escaped). */
  get liveBytes(): number {
    return this.#liveBytes;
  }
}
