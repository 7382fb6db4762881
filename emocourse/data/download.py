"""Download a manifest of image URLs the way a careful crawler does. Book: chapter 1.

``emocourse data download MANIFEST --out DIR`` fetches every ``url`` of a CSV manifest (optional
columns: ``id``, ``sha256``) with a few parallel connections, timeouts, retries with
exponential backoff, resumption of partial files (HTTP ``Range``), a size cap, and content
checks: the result must decode as an image, must not be an HTML error page or a known
"photo unavailable" placeholder, and must match its checksum when the manifest gives one.
Files appear only when complete (``DIR/files/``); ``DIR/download_report.csv`` says what
happened to every URL: ``ok``, ``duplicate``, ``dead``, ``timeout``, ``not_an_image``,
``too_large`` or ``checksum_mismatch``. Running it again keeps what is good and retries the rest.
"""

from __future__ import annotations

import io
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pandas as pd
import requests

from ..fileio import atomic_write, sha256_file
from .images import ImageProblem, read_image
from .table import DatasetError, read_text_csv

MAX_BYTES = 20_000_000
TIMEOUT = (5.0, 10.0)  # seconds to connect, seconds between bytes
ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the 2nd attempt, doubling after that
MAX_REDIRECTS = 5
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}
FINAL = {"ok", "duplicate"}  # statuses a re-run does not retry


class Retry(Exception):
    """A failure worth another attempt (server error, timeout, broken connection)."""

    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class Final(Exception):
    """A failure that another attempt would not fix (404, HTML page, too large, …)."""

    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass
class Outcome:
    id: str
    url: str
    status: str
    detail: str = ""
    file: str = ""
    sha256: str = ""
    bytes: int = 0
    attempts: int = 0


def _file_name(item_id: str, url: str) -> str:
    suffix = PurePosixPath(urlparse(url).path).suffix.lower()
    return f"{item_id}{suffix if suffix in IMAGE_SUFFIXES else '.img'}"


def _fetch(session: requests.Session, url: str, part: Path, max_bytes: int, timeout) -> None:
    """Stream ``url`` into ``part``, resuming from its current size when the server allows."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with session.get(url, stream=True, timeout=timeout, headers=headers) as response:
            if response.status_code == 416 and have:  # nothing left to fetch: the partial file is whole
                return
            if response.status_code in (404, 410) or 400 <= response.status_code < 500 and response.status_code != 429:
                raise Final("dead", f"HTTP {response.status_code}")
            if response.status_code >= 500 or response.status_code == 429:
                raise Retry("dead", f"HTTP {response.status_code}")
            if "text/html" in response.headers.get("Content-Type", ""):
                raise Final("not_an_image", "an HTML page, not an image")
            resumed = response.status_code == 206
            total = int(response.headers.get("Content-Length", 0)) + (have if resumed else 0)
            if total > max_bytes:
                raise Final("too_large", f"{total:,} bytes is over the {max_bytes:,} byte cap")
            with open(part, "ab" if resumed else "wb") as f:
                for chunk in response.iter_content(65536):
                    f.write(chunk)
                    if f.tell() > max_bytes:
                        raise Final("too_large", f"more than the {max_bytes:,} byte cap")
            if total and part.stat().st_size < total:
                raise Retry("dead", f"truncated: {part.stat().st_size:,} of {total:,} bytes")
    except requests.TooManyRedirects as err:
        raise Final("dead", "redirect loop") from err
    except requests.Timeout as err:
        raise Retry("timeout", "no answer in time") from err
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as err:
        raise Retry("dead", f"connection failed: {type(err).__name__}") from err


def _check(part: Path, expected_sha: str, placeholders: set[str]) -> str:
    """SHA-256 of a complete download, or ``Final`` if it is not a usable image."""
    digest = sha256_file(part)
    if digest in placeholders:
        raise Final("not_an_image", "a 'photo unavailable' placeholder")
    head = part.read_bytes()[:64].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise Final("not_an_image", "an HTML page, not an image")
    try:
        read_image(part)
    except ImageProblem as err:
        raise Final("not_an_image", str(err).removeprefix(f"{part}: ")) from err
    if expected_sha and digest != expected_sha:
        raise Final("checksum_mismatch", f"sha256 {digest[:12]}… is not the manifest's {expected_sha[:12]}…")
    return digest


def download_one(
    session,
    item: dict,
    out: Path,
    max_bytes: int,
    timeout,
    placeholders: set[str],
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
) -> Outcome:
    """Download, check and place one manifest row; never raises for network or content problems."""
    name = _file_name(item["id"], item["url"])
    final, part = out / "files" / name, out / "partial" / f"{name}.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(item["id"], item["url"], "dead")
    for attempt in range(1, attempts + 1):
        outcome.attempts = attempt
        try:
            _fetch(session, item["url"], part, max_bytes, timeout)
            digest = _check(part, item.get("sha256", ""), placeholders)
        except Retry as problem:
            outcome.status, outcome.detail = problem.status, problem.detail
            if attempt < attempts:
                time.sleep(backoff * 2 ** (attempt - 1))
            continue
        except Final as problem:
            part.unlink(missing_ok=True)
            outcome.status, outcome.detail = problem.status, problem.detail
            return outcome
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, final)
        outcome.status, outcome.file, outcome.sha256, outcome.bytes = (
            "ok",
            f"files/{name}",
            digest,
            final.stat().st_size,
        )
        return outcome
    return outcome


def read_manifest(path: str | os.PathLike) -> list[dict]:
    """Manifest rows as dicts with ``id``, ``url`` and ``sha256`` (ids default to the row number)."""
    frame = read_text_csv(Path(path))
    if "url" not in frame.columns:
        raise DatasetError(f"{path}: needs a 'url' column; found {', '.join(frame.columns)}")
    if "id" not in frame.columns:
        frame["id"] = [f"{i:06d}" for i in range(len(frame))]
    if "sha256" not in frame.columns:
        frame["sha256"] = ""
    bad = frame["id"].duplicated() | ~frame["id"].str.fullmatch(r"[\w.-]+")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DatasetError(f"{path} row {row + 2}: id {frame['id'].iloc[row]!r} must be unique letters, digits, . _ -")
    return frame[["id", "url", "sha256"]].to_dict("records")


def download(
    manifest: str | os.PathLike,
    out: str | os.PathLike,
    workers: int = 8,
    max_bytes: int = MAX_BYTES,
    timeout=TIMEOUT,
    placeholders: set[str] | None = None,
    progress: bool = True,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
) -> pd.DataFrame:
    """Download every URL of ``manifest`` into ``out``; return (and save) the report."""
    from tqdm.auto import tqdm

    out = Path(out)
    items = read_manifest(manifest)
    report_path = out / "download_report.csv"
    previous = {}
    if report_path.exists():
        earlier = pd.read_csv(report_path, dtype=str, keep_default_na=False)
        previous = {
            r["id"]: r
            for r in earlier.to_dict("records")
            if r["status"] in FINAL and (out / r["file"]).is_file() and sha256_file(out / r["file"]) == r["sha256"]
        }
    todo = [item for item in items if item["id"] not in previous]
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=workers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    with ThreadPoolExecutor(workers) as pool:
        jobs = pool.map(
            lambda item: download_one(session, item, out, max_bytes, timeout, placeholders or set(), attempts, backoff),
            todo,
        )
        fresh = {o.id: asdict(o) for o in tqdm(jobs, total=len(todo), desc="downloading", disable=not progress)}
    rows = [previous.get(item["id"]) or fresh[item["id"]] for item in items]
    first_of: dict[str, str] = {}
    for row in rows:  # the same bytes under two URLs: keep the first, mark the rest
        if row["status"] in FINAL:
            original = first_of.setdefault(row["sha256"], row["id"])
            if original != row["id"]:
                row["status"], row["detail"] = "duplicate", f"same bytes as {original}"
            elif row["status"] == "duplicate":
                row["status"], row["detail"] = "ok", ""
    report = pd.DataFrame(rows, columns=list(Outcome.__dataclass_fields__))
    buffer = io.StringIO()
    report.to_csv(buffer, index=False)
    with atomic_write(report_path) as f:
        f.write(buffer.getvalue().encode())
    return report
