"""CNNs trained from scratch: a compact FER-style network (Amin et al. 2017) and ResNet-18
(Kowalski et al.). Book: chapter 2, *Baselines*."""

from __future__ import annotations

from torch import nn


def conv_block(c_in: int, c_out: int, dropout: float) -> nn.Sequential:
    """conv-BN-ReLU twice, then 2×2 max-pooling and dropout."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Dropout(dropout),
    )


def compact_cnn(
    n_classes: int, in_channels: int = 1, widths: tuple[int, ...] = (16, 32, 64, 128), dropout: float = 0.2
) -> nn.Sequential:
    """Blocks of :func:`conv_block` with growing width, global average pooling, a linear head.

    The width of the early layers sets the cost on a CPU (``benchmarks/`` measures it).
    """
    blocks, c_in = [], in_channels
    for width in widths:
        blocks.append(conv_block(c_in, width, dropout))
        c_in = width
    return nn.Sequential(
        *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout * 2), nn.Linear(c_in, n_classes)
    )


def resnet18(n_classes: int, in_channels: int = 3) -> nn.Module:
    """torchvision's ResNet-18 with random weights and ``n_classes`` outputs.

    Unchanged otherwise: on 32 × 32 inputs its stride-2 stem and max-pool leave 1 × 1 feature
    maps after the last stage, which keeps it fast on a CPU (about 340 training images/s here).
    """
    from torchvision.models import resnet18 as torchvision_resnet18

    model = torchvision_resnet18(weights=None, num_classes=n_classes)
    if in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model
