"""PyTorch peer of skiplab's `train` benchmark (bench/peer.ts runs it).

Usage: /usr/bin/python3 bench/pytorch/peer.py MODEL [--threads T] [--steps N] [--batch B]
                                              [--precision fp32|bf16] [--profile]
Measures one model per process (so the peak RSS is that model's): training images/s
(forward, backward, Adam step; two warm-up steps), inference images/s (eval mode, no
autograd) and the process's peak resident set size in MB. Prints one JSON line.
`--precision bf16` runs forward and loss under torch.autocast("cpu", torch.bfloat16)
(weights, gradients and Adam stay fp32). `--profile` adds, under "profile", one
training step seen by torch.profiler: its wall time and every operator's calls,
self CPU time and, where the profiler counts them, FLOPs.
MODEL is any name skiplab registers; the models are zoo.py's, skiplab's architectures with
the same trainable parameters (tests/bench/pytorch/zoo_test.ts checks them).
"""
import argparse, contextlib, json, resource, time

import torch, torch.nn.functional as F

from zoo import MODELS


def peak_rss_mb():
    """VmHWM of this process; ru_maxrss would include the parent's RSS inherited across exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def timed(fn, steps):
    fn(); fn()
    t = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - t) / steps


def profile_step(step):
    """One (already warmed-up) call of `step` under torch.profiler, per operator."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        t = time.perf_counter()
        step()
        wall = time.perf_counter() - t
    ops = [{
        "name": e.key, "calls": e.count, "self_ms": e.self_cpu_time_total / 1000,
        "total_ms": e.cpu_time_total / 1000, "flops": int(e.flops or 0),
    } for e in prof.key_averages()]
    ops.sort(key=lambda o: -o["self_ms"])
    return {"step_ms": wall * 1000, "ops": ops}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=list(MODELS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = MODELS[a.model]()
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    x = torch.rand(a.batch, 3, 32, 32) * 2 - 1
    y = torch.randint(0, 10, (a.batch,))

    def autocast():
        if a.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def train_step():
        opt.zero_grad()
        with autocast():
            loss = F.cross_entropy(m(x), y)
        loss.float().backward()
        opt.step()

    m.train()
    train_dt = timed(train_step, a.steps)

    profile = profile_step(train_step) if a.profile else None

    def infer_step():
        with torch.no_grad(), autocast():
            m(x).sum().item()

    m.eval()
    infer_dt = timed(infer_step, a.steps)
    rss_mb = peak_rss_mb()
    row = {
        "model": a.model, "framework": "pytorch-" + torch.__version__, "threads": a.threads,
        "batch": a.batch, "precision": a.precision,
        "train_images_per_s": round(a.batch / train_dt, 2),
        "infer_images_per_s": round(a.batch / infer_dt, 2), "peak_rss_mb": round(rss_mb),
    }
    if profile is not None:
        row["profile"] = profile
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
