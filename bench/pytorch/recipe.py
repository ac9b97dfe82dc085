"""An independent PyTorch implementation of skiplab's paper recipe, with precise-BN evaluation.

Usage: /usr/bin/python3 bench/pytorch/recipe.py [resnet18|resnet18_noskip] [--data ARCHIVE]
           [--limit N] [--epochs E] [--width W] [--seed S] [--threads T]
           [--init pytorch|he|keras] [--reestimate-batches K] [--out FILE.json]

Trains on CIFAR-10 read from the binary archive exactly as skiplab splits it: data_batch_1..5
in file order, the last 5,000 images for validation, then the first N of each split
(`--limit N`, as skiplab's `--limit`). The recipe: Adam (lr 1e-3, Keras's epsilon 1e-7),
batch 64 (the last, partial batch kept), a seeded shuffle per epoch, a random horizontal
flip (p 0.5) and then a brightness change of each image by U(-0.1, 0.1) in [0, 1] pixel
units, clipped (as plugins/augment/brightness.ts, on inputs scaled to [-1, 1]), dropout 0.5
before the classifier, ReduceLROnPlateau on the validation loss (factor 0.2, patience 3).
Early stopping and checkpoints are left out: at a few epochs they change nothing.

The models are zoo.py's (as peer.py uses), skiplab's models/resnet.ts layout with its
parameter counts; `--width` scales every stage's filters as skiplab's `width` does (64·2^s·W,
rounded half up, at least 1). `--init pytorch` keeps
PyTorch's defaults (kaiming-uniform a=√5, BN epsilon 1e-5, momentum 0.1); `--init he` is
skiplab's `init: he` (He-normal conv kernels truncated at two deviations, glorot-uniform dense
kernel, zero bias, BN epsilon 1e-3, momentum 0.1); `--init keras` its `init: keras`
(glorot-uniform kernels, BN epsilon 1e-3, momentum 0.01).

After each epoch the validation split is evaluated twice: with the moving statistics, as
trained, and with statistics re-estimated on the same weights (precise BN: each batch-norm
layer's running statistics reset and set to the plain average over the first K un-augmented
training batches in stored order, the model in training mode with dropout off; PyTorch
keeps the unbiased batch variance), which are then put back. Prints one line per epoch and
writes everything as JSON to `--out` (rewritten after each epoch).
"""
import argparse, hashlib, json, math, os, sys, tarfile, time

import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

from zoo import MODELS

# The machine's copy of CIFAR-10 beside the project (as bench/data.ts reads it); see --data.
ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data",
                       "cifar-10-binary.tar.gz")
VAL_SIZE = 5000


def read_cifar_train(path):
    """data_batch_1..5 in file order: uint8 images NHWC [50000, 32, 32, 3] and labels."""
    chunks = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            name = os.path.basename(member.name)
            if name.startswith("data_batch_") and name.endswith(".bin"):
                chunks[name] = tar.extractfile(member).read()
    names = [f"data_batch_{i}.bin" for i in range(1, 6)]
    missing = [n for n in names if n not in chunks]
    if missing:
        sys.exit(f"{path}: missing {', '.join(missing)} (expected the CIFAR-10 binary layout)")
    records = np.frombuffer(b"".join(chunks[n] for n in names), np.uint8).reshape(-1, 3073)
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # CHW planes → NHWC
    return np.ascontiguousarray(images), records[:, 0].copy()


def splits(path, limit):
    """skiplab's split: the last VAL_SIZE training images validate; `limit` trims each split."""
    images, labels = read_cifar_train(path)
    cut = len(labels) - VAL_SIZE
    train, val = (images[:cut], labels[:cut]), (images[cut:], labels[cut:])
    if limit is not None:
        train, val = tuple(a[:limit] for a in train), tuple(a[:limit] for a in val)
    return train, val


def digest(images, labels):
    return hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()


def to_input(images):
    """uint8 NHWC → float NCHW in [-1, 1], as skiplab's pipeline: (x/255 − 0.5)/0.5."""
    # contiguous NCHW: a channels-last view crashes this build's convolution backward
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().float()
    return (x / 255 - 0.5) / 0.5


def augment(x, rng):
    """Flip each image with p 0.5, then shift its brightness by 2·U(−0.1, 0.1), clipped."""
    n = x.shape[0]
    mirror = torch.from_numpy(rng.random(n) < 0.5)
    x = torch.where(mirror[:, None, None, None], x.flip(3), x)
    delta = torch.from_numpy(2 * rng.uniform(-0.1, 0.1, n)).float()
    return (x + delta[:, None, None, None]).clamp(-1, 1)


def initialise(model, init):
    if init == "pytorch":
        return
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eps, m.momentum = 1e-3, (0.1 if init == "he" else 0.01)
        elif isinstance(m, nn.Conv2d):
            if init == "he":
                std = math.sqrt(2 / (m.in_channels * m.kernel_size[0] * m.kernel_size[1]))
                nn.init.trunc_normal_(m.weight, 0, std, -2 * std, 2 * std)
            else:
                nn.init.xavier_uniform_(m.weight)
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def evaluate(model, x, y, batch=256):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            out = model(x[i:i + batch])
            loss += F.cross_entropy(out, y[i:i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(y), correct / len(y)


def evaluate_precise(model, train_x, val_x, val_y, batches, batch):
    """Validation with BN statistics re-estimated on the first `batches` training batches."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [(m.momentum, {k: v.clone() for k, v in m.state_dict().items()}) for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average: the plain mean of the batches' statistics
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    with torch.no_grad():
        for i in range(min(batches, math.ceil(len(train_x) / batch))):
            model(train_x[i * batch:(i + 1) * batch])
    result = evaluate(model, val_x, val_y)
    for m, (momentum, state) in zip(bns, saved):
        m.momentum = momentum
        m.load_state_dict(state)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", default="resnet18", choices=["resnet18", "resnet18_noskip"])
    ap.add_argument("--data", default=ARCHIVE)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", choices=["pytorch", "he", "keras"], default="pytorch")
    ap.add_argument("--reestimate-batches", type=int, default=40)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.limit is not None and a.limit < 1 or a.epochs < 1 or not a.width > 0 \
            or a.reestimate_batches < 1 or a.batch < 1:
        ap.error("--limit, --epochs, --reestimate-batches and --batch must be >= 1, --width > 0")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    (train_images, train_labels), (val_images, val_labels) = splits(a.data, a.limit)
    train_x, train_y = to_input(train_images), torch.from_numpy(train_labels).long()
    val_x, val_y = to_input(val_images), torch.from_numpy(val_labels).long()
    model = MODELS[a.model](a.width)
    initialise(model, a.init)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.2, patience=3)
    run = {
        "model": a.model, "framework": "pytorch-" + torch.__version__, "init": a.init,
        "width": a.width, "widths": model.widths, "limit": a.limit, "epochs": a.epochs,
        "seed": a.seed, "threads": a.threads, "batch": a.batch,
        "reestimate_batches": a.reestimate_batches,
        "params": sum(p.numel() for p in model.parameters()),
        "data": {"train": len(train_y), "val": len(val_y),
                 "train_sha256": digest(train_images, train_labels),
                 "val_sha256": digest(val_images, val_labels)},
        "history": [],
    }
    print(f"{a.model} width {a.width} {run['widths']}, init {a.init}, {run['params']:,} "
          f"parameters; {len(train_y)} train / {len(val_y)} val images", flush=True)
    print("epoch  loss    acc    val_loss  val_acc  val_loss_precise  val_acc_precise  lr  s",
          flush=True)
    for epoch in range(a.epochs):
        t = time.perf_counter()
        model.train()
        order = torch.from_numpy(rng.permutation(len(train_y)))
        loss_sum, correct = 0.0, 0
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            x, y = augment(train_x[idx], rng), train_y[idx]
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == y).sum().item()
        seconds = time.perf_counter() - t
        val_loss, val_acc = evaluate(model, val_x, val_y)
        precise = evaluate_precise(model, train_x, val_x, val_y, a.reestimate_batches, a.batch)
        row = {
            "epoch": epoch, "loss": loss_sum / len(train_y), "acc": correct / len(train_y),
            "val_loss": val_loss, "val_acc": val_acc,
            "val_loss_precise": precise[0], "val_acc_precise": precise[1],
            "lr": opt.param_groups[0]["lr"], "seconds": seconds,
        }
        run["history"].append(row)
        plateau.step(val_loss)
        print(f"{epoch + 1:5d}  {row['loss']:.4f}  {row['acc']:.4f}  {val_loss:.4f}    "
              f"{val_acc:.4f}   {precise[0]:.4f}            {precise[1]:.4f}           "
              f"{row['lr']:.0e}  {seconds:.0f}", flush=True)
        if a.out:  # after every epoch, so a run cut short keeps what it measured
            with open(a.out + ".tmp", "w") as f:
                json.dump(run, f, indent=1)
            os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
