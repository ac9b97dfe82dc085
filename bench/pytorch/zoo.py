"""Every architecture skiplab registers (models/zoo.ts), by the same name, in PyTorch.

Usage: /usr/bin/python3 bench/pytorch/zoo.py [MODEL ...]
Prints one JSON line per model (all when none is named): its trainable parameters, forward
FLOPs of one 32×32 image (2 × multiply-adds of convolutions and dense layers, as skiplab's
summarizeModel counts them) and depth (convolution and dense layers, projections left out).
tests/bench/pytorch/zoo_test.ts checks all three against skiplab's own models.

Each entry is a function of `width` (skiplab's `--width`: every layer's filters scaled by
models/variant.ts's rule).
"""
import argparse, json

import torch, torch.nn as nn

from layers import scaled
from plain_cnn import PlainCNN
from resnet import ResNet


def resnet(layers, base=64, block="basic", skip=True, shortcut="projection", dropout=0.5):
    """models/resnet.ts's resnetSpec: a stem of `base` filters, stages doubling it."""
    def build(width=1.0):
        stages = [(scaled(base * 2 ** i, width), n, 1 if i == 0 else 2)
                  for i, n in enumerate(layers)]
        return ResNet(scaled(base, width), stages, block, skip, shortcut, dropout=dropout)
    return build


def baseline_cnn(width=1.0):
    """The paper's baseline: 32, 64, 128 and 256 filters."""
    return PlainCNN([scaled(f, width) for f in (32, 64, 128, 256)])


BASIC = [2, 2, 2, 2]
MODELS = {
    "baseline_cnn": baseline_cnn,
    "mini_resnet": resnet(BASIC, base=32),
    "resnet18": resnet(BASIC),
    "resnet18_noskip": resnet(BASIC, skip=False),
    "resnet34": resnet([3, 4, 6, 3]),
    "resnet50": resnet([3, 4, 6, 3], block="bottleneck"),
    "wide_resnet18_2": resnet(BASIC, base=128),
}
# He et al. 2016's CIFAR nets (models/cifar_resnet.ts): 6n + 2 layers, option A, no dropout.
for _skip in (True, False):
    for _depth in (20, 32, 44, 56, 110):
        _n = (_depth - 2) // 6
        MODELS[f"{'resnet' if _skip else 'plain'}{_depth}"] = resnet(
            [_n] * 3, base=16, skip=_skip, shortcut="zero_pad", dropout=0)


def trainable_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def forward_cost(model):
    """(FLOPs, depth) of one 32×32 image through the model's convolutions and dense layers."""
    flops, depth, hooks = [0], 0, []

    def count(module, _inputs, out):
        positions = out.shape[2] * out.shape[3] if isinstance(module, nn.Conv2d) else 1
        flops[0] += 2 * positions * module.weight.numel()

    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            hooks.append(m.register_forward_hook(count))
            depth += "proj" not in name.split(".")
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 32, 32))
    for h in hooks:
        h.remove()
    return flops[0], depth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", metavar="MODEL")
    names = ap.parse_args().models or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model {unknown[0]!r}; available: {', '.join(MODELS)}")
    for name in names:
        model = MODELS[name]()
        flops, depth = forward_cost(model)
        print(json.dumps({"model": name, "params": trainable_params(model), "flops": flops,
                          "depth": depth}), flush=True)


if __name__ == "__main__":
    main()
