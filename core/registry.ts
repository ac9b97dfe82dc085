/**
 * A generic name → entry registry, used for architectures and plugins.
 * @module
 */

/** A registry of named entries; names are unique. */
export class Registry<T> {
  readonly #kind: string;
  readonly #entries = new Map<string, T>();

  /**
   * Makes an empty registry.
   * @param kind What the entries are, used in error messages ("model", "plugin").
   */
  constructor(kind: string) {
    this.#kind = kind;
  }

  /**
   * Adds an entry.
   * @throws {TypeError} when the name is already registered.
   * @example
   * ```ts
   * import { Registry } from "./registry.ts";
   * const r = new Registry<number>("number");
   * r.register("one", 1);
   * ```
   */
  register(name: string, entry: T): this {
    if (this.#entries.has(name)) {
      throw new TypeError(
        `Cannot register ${this.#kind} '${name}': the name is already registered`,
      );
    }
    this.#entries.set(name, entry);
    return this;
  }

  /**
   * The entry of a name.
   * @throws {RangeError} for an unknown name, with the closest names and all available.
   * @example
   * ```ts
   * import { Registry } from "./registry.ts";
   * const r = new Registry<number>("model").register("resnet18", 18);
   * try { r.get("resnt18"); } catch (e) { console.log((e as Error).message); }
   * // Unknown model 'resnt18'. Did you mean 'resnet18'? Available: resnet18
   * ```
   */
  get(name: string): T {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new RangeError(this.#unknown(name));
    return entry;
  }

  /** Whether a name is registered. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** All names, in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Entries whose name (and entry) pass `filter`, as [name, entry] pairs. */
  list(filter: (name: string, entry: T) => boolean = () => true): [string, T][] {
    return [...this.#entries].filter(([n, e]) => filter(n, e));
  }

  #unknown(name: string): string {
    const names = this.names();
    const close = names
      .map((n) => [n, editDistance(name, n)] as const)
      .filter(([n, d]) => d <= Math.max(2, Math.floor(n.length / 3)))
      .sort((a, b) => a[1] - b[1])
      .map(([n]) => `'${n}'`);
    const hint = close.length ? ` Did you mean ${close.slice(0, 3).join(" or ")}?` : "";
    return `Unknown ${this.#kind} '${name}'.${hint} Available: ${names.join(", ") || "(none)"}`;
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
