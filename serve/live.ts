/**
 * Change notices for the dashboard's live updates: a recursive watch on the
 * served folder (Deno.watchFs), or where watching is unavailable a poll of
 * the run files' modification times, turned into the `/`-separated paths
 * (under the folder) that changed, a few hundred milliseconds after a burst
 * of writes settles.
 * @module
 */
import { join, relative, sep } from "node:path";
import { findRunDirs, RUN_FILES, SUITE_FILES } from "../rundir/mod.ts";

/** The files whose change a poll notices (what a page shows). */
const POLLED = [
  RUN_FILES.history,
  RUN_FILES.summary,
  RUN_FILES.heartbeat,
  RUN_FILES.steps,
  RUN_FILES.start,
  RUN_FILES.config,
  RUN_FILES.gradients,
  RUN_FILES.confusion,
  RUN_FILES.wrongImages,
  SUITE_FILES.suite,
];

/** Receives the paths (relative, `/`-separated) that changed. */
export type ChangeListener = (paths: readonly string[]) => void;

/** Options of {@linkcode ChangeFeed}. */
export interface ChangeFeedOptions {
  /** Poll instead of watching. @default false (watch; poll when watching fails) */
  readonly poll?: boolean;
  /** Poll interval in ms. @default 1000 */
  readonly pollMs?: number;
  /** How long a burst of changes may settle before it is announced, ms. @default 200 */
  readonly settleMs?: number;
}

/** The atomic writers' temporary names (`history.csv.tmp-123`) stand for the file they become. */
const unTemp = (p: string) => p.replace(/\.tmp-\d+$/, "");

/** Watches (or polls) `root` and tells listeners what changed. */
export class ChangeFeed {
  #root: string;
  #listeners = new Set<ChangeListener>();
  #pending = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watcher: Deno.FsWatcher | undefined;
  #poller: ReturnType<typeof setInterval> | undefined;
  #options: ChangeFeedOptions;
  /** How changes are found: `watch` or `poll`. */
  mode: "watch" | "poll" = "watch";

  /** A feed over real path `root`; call {@linkcode ChangeFeed.start}. */
  constructor(root: string, options: ChangeFeedOptions = {}) {
    this.#root = root;
    this.#options = options;
  }

  /** Starts watching (or polling). */
  async start(): Promise<void> {
    if (!this.#options.poll) {
      try {
        this.#watcher = Deno.watchFs(this.#root, { recursive: true });
        void this.#pump(this.#watcher);
        return;
      } catch {
        // No inotify (or its limit reached): poll instead.
      }
    }
    this.mode = "poll";
    let last = await this.#snapshot();
    this.#poller = setInterval(async () => {
      const now = await this.#snapshot().catch(() => last);
      for (const [p, m] of now) if (last.get(p) !== m) this.#note(p);
      for (const p of last.keys()) if (!now.has(p)) this.#note(p);
      last = now;
    }, this.#options.pollMs ?? 1000);
  }

  async #pump(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const ev of watcher) {
        for (const p of ev.paths) this.#note(relative(this.#root, unTemp(p)).split(sep).join("/"));
      }
    } catch {
      // Closed.
    }
  }

  async #snapshot(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const d of await findRunDirs(this.#root)) {
      for (const f of POLLED) {
        const m = await Deno.stat(join(d.path, f)).then((s) => s.mtime?.getTime() ?? 0, () => -1);
        if (m >= 0) out.set(`${d.id}/${f}`, m);
      }
    }
    return out;
  }

  #note(path: string): void {
    if (path.startsWith("..")) return;
    this.#pending.add(path);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const paths = [...this.#pending];
      this.#pending.clear();
      for (const l of this.#listeners) l(paths);
    }, this.#options.settleMs ?? 200);
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops watching and polling. */
  close(): void {
    this.#watcher?.close();
    clearInterval(this.#poller);
    clearTimeout(this.#timer);
  }
}
