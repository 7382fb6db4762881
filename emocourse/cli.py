"""The ``emocourse`` command. Book: *Setup* → *The emocourse command*."""

from __future__ import annotations

import argparse
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

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
        gpu = torch.cuda.get_device_properties(0)
        return f"cuda ({gpu.name}, {gpu.total_memory / 2**30:.0f} GiB, {torch.cuda.device_count()} GPU(s))"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return f"cpu ({torch.get_num_threads()} threads)"


def _training() -> str:
    from .train.acceleration import describe

    return describe()


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
        ("training", _training()),
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


def data_import(args: argparse.Namespace) -> int:
    """Convert a real release into a canonical dataset folder and report what was skipped or fixed."""
    from .data.adapters import ADAPTERS

    if args.label is not None and args.kind != "emotion6":
        raise ValueError("--label applies to emotion6 only (keyword or raters)")
    options = {"label": args.label} if args.label else {}
    dataset, report = ADAPTERS[args.kind](args.src, args.out, **options)
    report_path = report.write(dataset.root / "import_report.csv")
    print(report.summary())
    print(
        f"{len(dataset.table)} images in {dataset.root} ({', '.join(f'{k} {v}' for k, v in dataset.table['split'].value_counts().items())}); "
        f"details: {report_path}"
    )
    return 0


def data_download(args: argparse.Namespace) -> int:
    """Download a manifest of image URLs, checking every file; print what happened to each URL."""
    from .data.download import download

    report = download(args.manifest, args.out, workers=args.workers)
    print(report["status"].value_counts().to_string())
    print(f"report: {Path(args.out) / 'download_report.csv'}; run again to retry what failed")
    return 0


def data_make(args: argparse.Namespace) -> int:
    """Generate a stand-in dataset."""
    from .data.standins import STANDINS

    if args.size is not None and args.kind != "affect":
        raise ValueError("--size applies to 'affect' only (faces are 48 px, as in FER2013)")
    if args.minority_share is not None and args.kind != "audit":
        raise ValueError("--minority-share applies to 'audit' only")
    options = {"n": args.n, "seed": args.seed, "size": args.size, "minority_share": args.minority_share}
    dataset = STANDINS[args.kind](args.out, **{k: v for k, v in options.items() if v is not None})
    print(f"{dataset.name}: {len(dataset.table)} images in {dataset.root}")
    print(dataset.counts().to_string())
    return 0


def data_calibrate(args: argparse.Namespace) -> int:
    """Measure a stand-in against the real dataset's numbers; exit 1 if a target is missed."""
    from .data import load
    from .evaluate.calibration import calibrate, format_report, record

    dataset = load(args.dir)
    if args.record and args.dir not in ("affect", "faces"):
        raise ValueError(f"--record writes the report of a default stand-in: 'affect' or 'faces', not {args.dir!r}")
    start = time.perf_counter()
    checks = calibrate(dataset)
    print(format_report(dataset, checks))
    if args.record:
        print(f"wrote {record(dataset, checks, time.perf_counter() - start)}")
    return 0 if all(c.ok for c in checks) else 1


def _add_data_commands(commands) -> None:
    from .data.adapters import ADAPTERS
    from .data.standins import STANDINS

    data = commands.add_parser("data", help="import, generate and calibrate datasets").add_subparsers(
        dest="data_command", metavar="DATA_COMMAND", required=True
    )
    importer = data.add_parser("import", help="convert a real release (fi, fer2013, ferplus, emoset, emotion6, folder)")
    importer.add_argument("kind", choices=sorted(ADAPTERS))
    importer.add_argument("src", help="the release: a folder, or a CSV file")
    importer.add_argument("--out", required=True, help="folder for the canonical dataset")
    importer.add_argument(
        "--label",
        choices=("keyword", "raters"),
        help="emotion6 only: keyword (default), the search keyword the photo was found with; or raters, "
        "the raters' most-chosen of seven emotions, neutral included (ties are skipped)",
    )
    importer.set_defaults(run=data_import)
    downloader = data.add_parser("download", help="download a CSV manifest of image URLs (resumable, checked)")
    downloader.add_argument("manifest", help="CSV with a url column (optional: id, sha256)")
    downloader.add_argument("--out", required=True)
    downloader.add_argument("--workers", type=int, default=8, help="parallel connections (default 8)")
    downloader.set_defaults(run=data_download)
    maker = data.add_parser(
        "make",
        help="generate an offline stand-in (affect: FI-like, faces: FER2013-like, posed: CK+-like, audit: "
        "faces in two groups)",
    )
    maker.add_argument("kind", choices=sorted(STANDINS))
    maker.add_argument("--out", required=True)
    maker.add_argument(
        "--n",
        type=int,
        help="accepted images (affect, default 3300) or faces (faces 12000, posed 600, audit 3000 training faces)",
    )
    maker.add_argument(
        "--minority-share", type=float, help="audit only: group B's share of the training faces (default 0.1)"
    )
    maker.add_argument("--size", type=int, help="image size in pixels (affect only; default 128)")
    maker.add_argument("--seed", type=int, default=0)
    maker.set_defaults(run=data_make)
    calibrator = data.add_parser("calibrate", help="measure a stand-in against its calibration targets")
    calibrator.add_argument("dir", help="a stand-in's folder, or the name of a default stand-in (affect, faces)")
    calibrator.add_argument(
        "--record", action="store_true", help="write the committed report of a default stand-in (make calibrate)"
    )
    calibrator.set_defaults(run=data_calibrate)


def course_student_edition(args: argparse.Namespace) -> int:
    """Write each chapter with its solutions taken out."""
    from .notebook import find_chapters
    from .teach import write_student_editions

    for path in write_student_editions(find_chapters(args.chapters), Path(args.out)):
        print(path)
    return 0


def course_assign(args: argparse.Namespace) -> int:
    """One student edition per student, with the student's variant of the chapter's parameters."""
    import papermill

    from .notebook import find_chapters
    from .teach import read_roster, read_spec, write_assignment

    [chapter] = find_chapters([args.chapter])
    spec = read_spec(args.spec, list(papermill.inspect_notebook(str(chapter))))
    variants = write_assignment(chapter, read_roster(args.roster), spec, Path(args.out))
    varied = ", ".join(f"{name} ({variants[name].nunique()} values)" for name in sorted(spec.choices))
    print(f"{len(variants)} students, {chapter.stem}: {varied}; who got what: {Path(args.out) / 'variants.csv'}")
    return 0


def course_grade(args: argparse.Namespace) -> int:
    """Grade a folder of submissions against the reference solution run on each student's parameters."""
    from .notebook import find_chapters
    from .teach.grading import Limits, grade_class, print_summary

    [chapter] = find_chapters([args.chapter])
    if args.workers < 1 or args.timeout <= 0 or args.memory <= 0:
        raise ValueError("--workers, --timeout and --memory must be positive")
    for folder in (args.submissions, args.assigned):
        if not Path(folder).is_dir():
            raise ValueError(f"{folder}: no such folder")
    limits = Limits(args.timeout, int(args.memory * 2**30), sandboxed=not args.unsafe_no_sandbox)
    started = time.perf_counter()
    with _dask_client(args.scheduler, args.workers) as client:
        grades = grade_class(chapter, Path(args.submissions), Path(args.assigned), Path(args.out), client, limits)
    print_summary(grades, Path(args.out), time.perf_counter() - started)
    return 0


def _dask_client(scheduler: str | None, workers: int):
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    import logging

    from distributed import Client

    if scheduler:
        return Client(scheduler)
    # A local cluster the client owns (closed with it), listening on loopback only: one notebook at a
    # time per worker; the grader's own limits watch memory, not Dask's.
    return Client(
        n_workers=workers,
        threads_per_worker=1,
        memory_limit=0,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


def train(args: argparse.Namespace) -> int:
    """Train a named recipe on a dataset and write a model folder."""
    from .data import load
    from .train.recipes import save, train_recipe

    dataset = load(args.data)
    result = train_recipe(args.recipe, dataset, args.profile, args.seed)
    save(result, args.recipe, args.profile, Path(args.out))
    if args.export:
        from .train.export import export_onnx

        export_onnx(Path(args.out))
    print(
        f"{args.recipe}: {result.evaluated_on} accuracy {result.accuracy:.1%} on {result.images:,} "
        f"{result.evaluated_on} images; {result.minutes:.1f} minutes of training; model in {args.out}, "
        f"described in {Path(args.out) / 'MODEL_CARD.md'} (fill in its blanks)"
    )
    return 0


def export(args: argparse.Namespace) -> int:
    """Write a model folder's network as ONNX and describe it in model.json."""
    from .train.export import export_onnx

    path = export_onnx(Path(args.model), Path(args.out) if args.out else None)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB); model.json's onnx entry says how to feed it")
    return 0


def predict(args: argparse.Namespace) -> int:
    """The most probable emotions of each image under a trained model."""
    import json

    from .train.recipes import predict as predict_images

    images = [Path(p) for p in args.images]
    results = predict_images(Path(args.model), images, top=args.top, face=args.face, runtime=args.runtime)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        guesses = ", ".join(f"{g['emotion']} {g['probability']:.0%}" for g in result["top"])
        if result["face"]:
            guesses += f" (face box {result['face']['box']})"
        elif result["face_mode"] == "auto":
            guesses += " (the whole image: small enough to be a face crop)"
        print(f"{result['image']}: {guesses}")
    return 0


def _add_model_commands(commands) -> None:
    from .train.photos import FACE_CROP_SIDE, FACE_MODES
    from .train.recipes import PROFILES, RECIPES, RUNTIMES

    trainer = commands.add_parser(
        "train", help="train a named recipe on a dataset; writes a model folder with its MODEL_CARD.md"
    )
    trainer.add_argument("data", metavar="DATA_DIR", help="a canonical dataset folder, or a stand-in's name")
    trainer.add_argument(
        "--recipe",
        required=True,
        choices=sorted(RECIPES),
        help="; ".join(f"{k}: {v.description}" for k, v in RECIPES.items()),
    )
    trainer.add_argument("--profile", choices=PROFILES, default="fast")
    trainer.add_argument("--seed", type=int, default=0)
    trainer.add_argument("--out", required=True, metavar="MODEL_DIR")
    trainer.add_argument(
        "--no-export", dest="export", action="store_false", help="do not write model.onnx (emocourse export)"
    )
    trainer.set_defaults(run=train)
    exporter = commands.add_parser(
        "export", help="write a trained model as ONNX (model.onnx), for onnxruntime and web pages"
    )
    exporter.add_argument("model", metavar="MODEL_DIR")
    exporter.add_argument("--out", metavar="FILE", help="where to write it (default: MODEL_DIR/model.onnx)")
    exporter.set_defaults(run=export)
    measures = (
        "the expressions raters would most likely have labelled in images, under a trained model: a "
        "perceived expression, not what anyone feels (chapter 7)"
    )
    predictor = commands.add_parser("predict", help=measures, description=measures[0].upper() + measures[1:] + ".")
    predictor.add_argument("model", metavar="MODEL_DIR")
    predictor.add_argument("images", nargs="+", metavar="IMAGE")
    predictor.add_argument("--top", type=int, default=3)
    predictor.add_argument("--json", action="store_true", help="JSON instead of one line per image")
    predictor.add_argument(
        "--face",
        choices=FACE_MODES,
        help="auto (the default for faces models): cut out the largest frontal face and report its box; an "
        f"image at most {FACE_CROP_SIDE} px on its shorter side is taken as a face crop, whole; an image "
        "with no face is an error, and nothing is predicted. crop: each image is a face crop. none (the "
        "default for transfer models): the whole photo. crop and none show the model the centre square",
    )
    predictor.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default="torch",
        help="torch (default): the weights; onnx: onnxruntime on the file 'emocourse export' wrote",
    )
    predictor.set_defaults(run=predict)


def _add_course_commands(commands) -> None:
    course = commands.add_parser("course", help="for instructors: student editions, per-student variants, grading")
    course = course.add_subparsers(dest="course_command", metavar="COURSE_COMMAND", required=True)
    edition = course.add_parser("student-edition", help="the chapters with their solutions taken out")
    edition.add_argument("chapters", nargs="+", metavar="CHAPTER", help="a notebook, or a chapter's name")
    edition.add_argument("--out", required=True)
    edition.set_defaults(run=course_student_edition)
    assigner = course.add_parser("assign", help="one notebook per student, each with its own parameters")
    assigner.add_argument("chapter", metavar="CHAPTER", help="a notebook, or a chapter's name")
    assigner.add_argument("--roster", required=True, help="CSV with id, name, email (other columns kept)")
    assigner.add_argument("--spec", required=True, help="YAML: which parameters vary, over what")
    assigner.add_argument("--out", required=True)
    assigner.set_defaults(run=course_assign)
    grader = course.add_parser("grade", help="run every submission and compare its answers with the reference")
    grader.add_argument("chapter", metavar="CHAPTER", help="a notebook, or a chapter's name")
    grader.add_argument("submissions", metavar="SUBMISSIONS_DIR", help="<id>/<chapter>.ipynb or <id>.ipynb")
    grader.add_argument("--assigned", required=True, help="the folder 'course assign' wrote")
    grader.add_argument("--out", required=True, help="grades.csv (feedback pages go beside it, in feedback/)")
    where = grader.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=2, help="processes of a local Dask cluster (default 2)")
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    grader.add_argument("--timeout", type=float, default=600, help="seconds per notebook (default 600)")
    grader.add_argument("--memory", type=float, default=4, help="GiB per notebook (default 4)")
    grader.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run submissions without bubblewrap, with your own rights (where bubblewrap cannot run)",
    )
    grader.set_defaults(run=course_grade)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emocourse", description="Helpers for the Learning to Feel course.")
    parser.add_argument("--version", action="version", version=f"emocourse {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("info", help="show versions, device, folders; verify the bundled weights").set_defaults(
        run=info
    )
    _add_data_commands(commands)
    _add_model_commands(commands)
    _add_course_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    from .data import DatasetError

    try:
        return args.run(args)
    except (DatasetError, ValueError) as err:
        print(f"emocourse: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
