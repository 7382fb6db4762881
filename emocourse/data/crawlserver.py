"""A local web server that plays "the internet" for the affect stand-in's crawl. Book: chapter 1.

It serves ``crawl/images/<id>.jpg`` at the manifest's URL paths. Dead links answer 404, except
a share of them that answer with a "photo unavailable" placeholder image, as photo sites do; a
share of requests are slow. The chapter downloads through it and meets every failure a real
crawl meets, without leaving the laptop.
"""

from __future__ import annotations

import hashlib
import io
import sys
import threading
import time
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from PIL import Image, ImageDraw


def placeholder_jpeg() -> bytes:
    """The 'photo unavailable' picture the server sends for some dead links."""
    image = Image.new("RGB", (128, 96), (200, 200, 200))
    ImageDraw.Draw(image).text((18, 40), "photo unavailable", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


PLACEHOLDER_SHA256 = hashlib.sha256(placeholder_jpeg()).hexdigest()


def _share(path: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) per path, so every run sees the same web."""
    return zlib.crc32(f"{salt}:{path}".encode()) / 2**32


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a downloader giving up on a slow link) is an ordinary event here, not
    an error: the standard server would print its traceback to stderr."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError, ...
            super().handle_error(request, client_address)


@contextmanager
def serve(
    crawl_dir: str | Path, slow_share: float = 0.05, slow_seconds: float = 2.0, placeholder_share: float = 0.3
) -> Iterator[str]:
    """Serve ``crawl_dir/images`` on 127.0.0.1; yields the base URL (``http://127.0.0.1:<port>``).

    A manifest URL ``https://host/<query>/<id>.jpg`` maps to ``<base>/<query>/<id>.jpg``.
    """
    images = Path(crawl_dir) / "images"
    placeholder = placeholder_jpeg()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            name = Path(urlparse(self.path).path).name
            file = images / name
            if _share(self.path, "slow") < slow_share:
                time.sleep(slow_seconds)
            if file.is_file() and file.parent == images:
                body, code = file.read_bytes(), 200
            elif _share(self.path, "placeholder") < placeholder_share:
                body, code = placeholder, 200
            else:
                body, code = b"Not Found", 404
            self.send_response(code)
            self.send_header("Content-Type", "image/jpeg" if code == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def local_manifest(manifest: str | Path, base_url: str, out: str | Path, limit: int | None = None) -> Path:
    """Rewrite a crawl manifest's URLs to point at ``base_url`` (first ``limit`` rows); return its path."""
    import pandas as pd

    frame = pd.read_csv(manifest, dtype=str)
    if limit is not None:
        frame = frame.head(limit)
    frame["url"] = [base_url + urlparse(u).path for u in frame["url"]]
    frame["id"] = [f"{int(i):06d}" for i in frame["id"]]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame[["id", "url", "query"]].to_csv(out, index=False)
    return out
