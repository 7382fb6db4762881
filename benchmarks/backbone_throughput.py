"""Forward throughput of a backbone on this machine (images/s), frozen feature extraction.

    python benchmarks/backbone_throughput.py [--backbone NAME] [--sizes 128 224] [--batches 8 32]

Prints one JSON line per image size. Numbers, not assertions: the tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from emocourse.models import DEFAULT_BACKBONE, create_backbone


def images_per_second(model: torch.nn.Module, size: int, batch: int, repeats: int) -> float:
    """Best of ``repeats`` timed forward passes of a random batch, after one warm-up pass."""
    x = torch.randn(batch, 3, size, size).to(memory_format=torch.channels_last)
    with torch.inference_mode():
        model(x)
        best = min(_timed(model, x) for _ in range(repeats))
    return batch / best


def _timed(model: torch.nn.Module, x: torch.Tensor) -> float:
    start = time.perf_counter()
    model(x)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE)
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 224])
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = create_backbone(args.backbone)
    for size in args.sizes:
        for batch in args.batches:
            rate = images_per_second(model, size, batch, args.repeats)
            print(
                json.dumps(
                    {
                        "benchmark": "backbone_forward",
                        "backbone": args.backbone,
                        "image_size": size,
                        "batch": batch,
                        "images_per_s": round(rate, 1),
                        "threads": torch.get_num_threads(),
                        "torch": torch.__version__,
                        "machine": platform.machine(),
                    }
                )
            )


if __name__ == "__main__":
    main()
