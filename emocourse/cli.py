"""The ``emocourse`` command. Book: *Setup* → *The emocourse command*."""

from __future__ import annotations

import argparse
import platform
import sys
from importlib import metadata

from . import __version__, paths

_PACKAGES = ("torch", "torchvision", "timm", "fastai", "scikit-learn", "jupyter-book")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return f"cpu ({torch.get_num_threads()} threads)"


def _bundled_weights_status() -> tuple[bool, str]:
    from .models import BundledWeightsError, create_backbone
    from .models.bundled import weights_path

    try:
        create_backbone(num_classes=1000)  # converts on first use, then checks every tensor
    except BundledWeightsError as err:
        return False, str(err)
    return True, f"verified ({weights_path()})"


def info(_args: argparse.Namespace) -> int:
    """Print versions, device, cache folders and whether the bundled weights verify."""
    rows = [("emocourse", __version__), ("python", platform.python_version())]
    rows += [(name, _version(name)) for name in _PACKAGES]
    rows += [
        ("device", _device()),
        ("home", str(paths.home())),
        ("data", str(paths.data_dir())),
        ("weights", str(paths.weights_dir())),
        ("cache", str(paths.cache_dir())),
    ]
    ok, status = _bundled_weights_status()
    rows.append(("bundled backbone", status))
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emocourse", description="Helpers for the Learning to Feel course.")
    parser.add_argument("--version", action="version", version=f"emocourse {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("info", help="show versions, device, folders; verify the bundled weights").set_defaults(run=info)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
