"""skiplab's plain CNN family (models/baseline_cnn.ts) in PyTorch.

Blocks of 3×3 convolution (with bias, as skiplab's baseline keeps it), batch norm, ReLU and
2×2 max pooling, then skiplab's classifier head.
"""
import torch.nn as nn

from layers import ClassifierHead


class PlainCNN(nn.Module):
    """Conv–BN–ReLU–max-pool blocks of `filters` channels each, input first, and the head."""

    def __init__(self, filters, kernel=3, classes=10, dropout=0.5):
        super().__init__()
        if not filters:
            raise ValueError("PlainCNN: 'filters' must be non-empty, got []")
        layers, c = [], 3
        for f in filters:
            layers += [nn.Conv2d(c, f, kernel, 1, kernel // 2), nn.BatchNorm2d(f), nn.ReLU(),
                       nn.MaxPool2d(2)]
            c = f
        self.features = nn.Sequential(*layers)
        self.head = ClassifierHead(c, classes, dropout)
        self.widths = list(filters)

    def forward(self, x):
        return self.head(self.features(x))
