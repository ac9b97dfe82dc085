/**
 * The PyTorch peer of the `train` benchmark: runs `bench/pytorch/peer.py` once
 * per model, so each peak RSS belongs to one model. Its models are
 * `bench/pytorch/zoo.py`'s, every registered architecture written again in
 * PyTorch with skiplab's trainable parameters (tests/bench/pytorch/zoo_test.ts).
 *
 * @module
 */

/** Precision of the PyTorch peer: fp32, or bf16 under `torch.autocast("cpu", torch.bfloat16)`. */
export type PeerPrecision = "fp32" | "bf16";

/** One operator of the peer's profiled training step (torch.profiler's key averages). */
export interface TorchOp {
  /** Operator name, e.g. `aten::convolution_backward`. */
  readonly name: string;
  /** Calls in the step. */
  readonly calls: number;
  /** Self CPU time, ms (children excluded). */
  readonly self_ms: number;
  /** CPU time with children, ms. */
  readonly total_ms: number;
  /** FLOPs where the profiler counts them (forward convolutions, matrix products), else 0. */
  readonly flops: number;
}

/** One training step of the peer under torch.profiler. */
export interface TorchProfile {
  /** Wall time of the profiled step, ms. */
  readonly step_ms: number;
  /** Operators by self CPU time, most first. */
  readonly ops: readonly TorchOp[];
}

/** Options of {@link runPeer} beyond the measurement's size. */
export interface PeerOptions {
  /** @default "fp32" */
  readonly precision?: PeerPrecision;
  /** Also profile one training step (the first run's). @default false */
  readonly profile?: boolean;
  /** Timed steps of training and of inference. @default peer.py's (5) */
  readonly steps?: number;
}

/** What the peer measured for one model. */
export interface PeerResult {
  /** Training images/s (forward, backward, Adam step). */
  readonly train: number;
  /** Inference images/s (eval mode, no autograd). */
  readonly infer: number;
  /** Peak resident set size of the peer process, MB. */
  readonly rssMb: number;
  /** One profiled training step, when asked for. */
  readonly profile?: TorchProfile;
}

/**
 * Runs the PyTorch peer for each model with `threads` threads; best of
 * `repeat` runs per model, at `options.precision`, with a profiled step when
 * `options.profile`. Returns the results by model (empty when PyTorch is
 * unavailable, after logging how to install it).
 */
export async function runPeer(
  models: readonly string[],
  batch: number,
  threads: number,
  repeat = 1,
  log: (line: string) => void = console.log,
  options: PeerOptions = {},
): Promise<Map<string, PeerResult>> {
  const script = new URL("./pytorch/peer.py", import.meta.url).pathname;
  const out = new Map<string, PeerResult>();
  let reason = "apt-get install -y python3-torch";
  // Debian's interpreter carries python3-torch; a pyenv `python3` earlier on PATH may not.
  for (const python of ["/usr/bin/python3", "python3"]) {
    let ran = false;
    for (const model of models) {
      for (let r = 0; r < repeat; r++) {
        const args = [script, model, "--batch", String(batch), "--threads", String(threads)];
        args.push("--precision", options.precision ?? "fp32");
        if (options.steps !== undefined) args.push("--steps", String(options.steps));
        if (options.profile && r === 0) args.push("--profile");
        let result: Deno.CommandOutput;
        try {
          result = await new Deno.Command(python, { args, stdout: "piped", stderr: "piped" })
            .output();
        } catch {
          break;
        }
        if (!result.success) {
          const err = new TextDecoder().decode(result.stderr).trim().split("\n");
          reason = `${python} ${model}: ${err[err.length - 1]}`;
          break;
        }
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
          profile: prev?.profile ?? row.profile,
        });
      }
    }
    if (ran) return out;
  }
  log(`PyTorch peer unavailable: ${reason}`);
  return out;
}
