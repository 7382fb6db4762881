"""Seconds to generate the default stand-ins (target: each ≤ 60 s on a 2-core machine).

    python benchmarks/standin_generation.py [--out DIR]

Prints one JSON line per stand-in.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from emocourse.data.standins import STANDINS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder to keep the sets in (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.out or scratch)
        for name, make in STANDINS.items():
            start = time.perf_counter()
            dataset = make(root / name)
            seconds = time.perf_counter() - start
            print(
                json.dumps(
                    {
                        "benchmark": "standin_generation",
                        "standin": name,
                        "images": len(dataset.table),
                        "seconds": round(seconds, 1),
                    }
                )
            )


if __name__ == "__main__":
    main()
