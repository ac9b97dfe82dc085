/**
 * The PyTorch peer of the `train` benchmark: runs `bench/torch_peer.py` (which
 * reuses the models of `../shared/bench/torch_throughput.py`) once per model,
 * so each peak RSS belongs to one model.
 *
 * @module
 */

/** What the peer measured for one model. */
export interface PeerResult {
  /** Training images/s (forward, backward, Adam step). */
  readonly train: number;
  /** Inference images/s (eval mode, no autograd). */
  readonly infer: number;
  /** Peak resident set size of the peer process, MB. */
  readonly rssMb: number;
}

/**
 * Runs the PyTorch peer for each model with `threads` threads; best of
 * `repeat` runs per model. Returns the results by model (empty when PyTorch is
 * unavailable, after logging how to install it).
 */
export async function runPeer(
  models: readonly string[],
  batch: number,
  threads: number,
  repeat = 1,
  log: (line: string) => void = console.log,
): Promise<Map<string, PeerResult>> {
  const script = new URL("./torch_peer.py", import.meta.url).pathname;
  const out = new Map<string, PeerResult>();
  // Debian's interpreter carries python3-torch; a pyenv `python3` earlier on PATH may not.
  for (const python of ["/usr/bin/python3", "python3"]) {
    let ran = false;
    for (const model of models) {
      for (let r = 0; r < repeat; r++) {
        const args = [script, model, "--batch", String(batch), "--threads", String(threads)];
        let result: Deno.CommandOutput;
        try {
          result = await new Deno.Command(python, { args, stdout: "piped", stderr: "piped" })
            .output();
        } catch {
          break;
        }
        if (!result.success) break;
        ran = true;
        const line = new TextDecoder().decode(result.stdout).split("\n").find((l) =>
          l.startsWith("{")
        );
        if (line === undefined) break;
        const row = JSON.parse(line);
        const prev = out.get(model);
        out.set(model, {
          train: Math.max(prev?.train ?? 0, row.train_images_per_s),
          infer: Math.max(prev?.infer ?? 0, row.infer_images_per_s),
          rssMb: Math.min(prev?.rssMb ?? Infinity, row.peak_rss_mb),
        });
      }
    }
    if (ran) return out;
  }
  log("PyTorch peer unavailable: apt-get install -y python3-torch");
  return out;
}
