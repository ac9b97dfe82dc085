"""skiplab's residual networks (models/resnet.ts, layers/residual_block.ts) in PyTorch.

A 3×3 stem (conv, BN, ReLU), stages of basic or bottleneck blocks whose first block takes the
stage's stride, and the classifier head. A block's shortcut is the identity where shapes match;
where the stride or the width changes it is a 1×1 convolution with batch norm ("projection",
named `proj` so that depth counts leave it out, as skiplab's `_proj_` layers) or option A's
zero padding ("zero_pad"); without skips there is none.
"""
import torch.nn as nn
import torch.nn.functional as F

from layers import ClassifierHead, ZeroPadShortcut, conv_bn


def shortcut(cin, cout, stride, skip, match):
    """The shortcut of a block from `cin` to `cout` channels (None without skips)."""
    if not skip:
        return None
    if stride == 1 and cin == cout:
        return nn.Identity()
    if match == "projection":
        return conv_bn(cin, cout, 1, stride)
    if match == "zero_pad":
        return ZeroPadShortcut(stride, cout)
    raise ValueError(f"shortcut: 'match' must be 'projection' or 'zero_pad', got {match!r}")


class BasicBlock(nn.Module):
    """Two 3×3 conv–BN with ReLU between, the shortcut added, ReLU."""
    expansion = 1

    def __init__(self, cin, filters, stride, skip, match):
        super().__init__()
        self.conv1 = conv_bn(cin, filters, 3, stride)
        self.conv2 = conv_bn(filters, filters, 3)
        self.proj = shortcut(cin, filters, stride, skip, match)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        # The residual: F(x) + x.
        return F.relu(y if self.proj is None else y + self.proj(x))


class Bottleneck(nn.Module):
    """1×1 reduce, 3×3 (strided), 1×1 expand to 4 × filters, each with BN; shortcut; ReLU."""
    expansion = 4

    def __init__(self, cin, filters, stride, skip, match):
        super().__init__()
        self.conv1 = conv_bn(cin, filters, 1)
        self.conv2 = conv_bn(filters, filters, 3, stride)
        self.conv3 = conv_bn(filters, 4 * filters, 1)
        self.proj = shortcut(cin, 4 * filters, stride, skip, match)

    def forward(self, x):
        y = self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(y if self.proj is None else y + self.proj(x))


class ResNet(nn.Module):
    """`stages` is a list of (filters, blocks, stride), input first; `stem` the stem's filters."""

    def __init__(self, stem, stages, block="basic", skip=True, shortcut="projection",
                 classes=10, dropout=0.5):
        super().__init__()
        if not stages:
            raise ValueError("ResNet: 'stages' must be non-empty, got []")
        kind = {"basic": BasicBlock, "bottleneck": Bottleneck}.get(block)
        if kind is None:
            raise ValueError(f"ResNet: 'block' must be 'basic' or 'bottleneck', got {block!r}")
        self.stem = nn.Sequential(conv_bn(3, stem, 3), nn.ReLU())
        blocks, c = [], stem
        for filters, count, stride in stages:
            for b in range(count):
                blocks.append(kind(c, filters, stride if b == 0 else 1, skip, shortcut))
                c = filters * kind.expansion
        self.blocks = nn.Sequential(*blocks)
        self.head = ClassifierHead(c, classes, dropout)
        self.widths = [filters for filters, _, _ in stages]

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))
