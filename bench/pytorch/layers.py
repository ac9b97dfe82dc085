"""The pieces skiplab's models share (layers/ in skiplab), as PyTorch modules.

Each mirrors one skiplab layer's weights and shapes: `conv_bn` is a convolution without bias
and its batch norm (layers/residual_block.ts's conv + `_bn`), `ZeroPadShortcut` is
layers/zero_pad_shortcut.ts (He et al.'s option A, no weights), `ClassifierHead` is
layers/classifier_head.ts (global average pooling, dropout, dense). The head returns logits:
skiplab's softmax is folded into PyTorch's cross-entropy.

One departure, in the arithmetic only: a stride-2 3×3 convolution pads one pixel on every side
(PyTorch's idiom) where tfjs's "same" pads only the bottom and right. Shapes, weights and
operation counts are the same; the sampled pixels are shifted by one.
"""
import torch.nn as nn
import torch.nn.functional as F


def scaled(filters, width):
    """skiplab's width rule (models/variant.ts): filters × width rounded half up, at least 1."""
    return max(1, int(filters * width + 0.5))


def conv_bn(cin, cout, kernel, stride=1):
    """A k×k convolution ("same" size) without bias, then batch norm."""
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
                         nn.BatchNorm2d(cout))


class ZeroPadShortcut(nn.Module):
    """x[:, :, ::s, ::s] with zero channels appended up to `filters`: option A's shortcut."""

    def __init__(self, stride, filters):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"ZeroPadShortcut: 'stride' must be 1 or 2, got {stride}")
        self.stride, self.filters = stride, filters

    def forward(self, x):
        if self.stride == 2:
            x = x[:, :, ::2, ::2]  # rows and columns 0, 2, 4 … as skiplab keeps them
        extra = self.filters - x.shape[1]
        return F.pad(x, (0, 0, 0, 0, 0, extra)) if extra > 0 else x


class ClassifierHead(nn.Module):
    """Global average pooling, dropout (none at rate 0) and a dense layer to `classes` logits."""

    def __init__(self, channels, classes, dropout):
        super().__init__()
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        return self.fc(self.drop(F.adaptive_avg_pool2d(x, 1).flatten(1)))
