"""Downloader throughput on the local crawl server, and near-duplicate grouping time.

    python benchmarks/download_and_dedupe.py [--urls 2000] [--images 5000]

Download: ``--urls`` URLs of the affect stand-in's crawl, 5 % of them dead (404) and 5 % slow
(0.5 s before the first byte), 8 connections. Dedupe: perceptual hashes and grouping of
``--images`` crawl images. Prints one JSON line each.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from emocourse.data import load
from emocourse.data.crawlserver import serve
from emocourse.data.curation import duplicate_groups, perceptual_hashes
from emocourse.data.download import download


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--images", type=int, default=5000)
    args = parser.parse_args()
    crawl = load("affect").root / "crawl"
    live = sorted((crawl / "images").glob("*.jpg"))
    with (
        tempfile.TemporaryDirectory() as scratch,
        serve(crawl, slow_share=0.05, slow_seconds=0.5, placeholder_share=0) as base,
    ):
        names = [p.name if i % 20 else f"dead-{i}.jpg" for i, p in enumerate(live[: args.urls])]  # every 20th is dead
        manifest = Path(scratch) / "manifest.csv"
        pd.DataFrame({"url": [f"{base}/q/{n}" for n in names]}).to_csv(manifest, index=False)
        start = time.perf_counter()
        report = download(manifest, Path(scratch) / "out", workers=8, progress=False)
        seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "benchmark": "download",
                "urls": len(names),
                "seconds": round(seconds, 1),
                "urls_per_s": round(len(names) / seconds, 1),
                **report["status"].value_counts().to_dict(),
            }
        )
    )
    paths = live[: args.images]
    start = time.perf_counter()
    hashes = perceptual_hashes(paths)
    hashed = time.perf_counter()
    groups = duplicate_groups(hashes)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "benchmark": "dedupe",
                "images": len(paths),
                "hash_s": round(hashed - start, 1),
                "group_s": round(done - hashed, 1),
                "groups": int(groups.max() + 1),
            }
        )
    )


if __name__ == "__main__":
    main()
