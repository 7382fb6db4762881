"""The downloader against a real HTTP server on localhost, with every failure a crawl meets."""

import hashlib
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from emocourse.cli import main
from emocourse.data.download import download


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


PLACEHOLDER = jpeg(999)
HUGE = 50_000


class Server:
    """A tiny web server whose paths behave like the web a crawler meets."""

    def __init__(self):
        self.hits: dict[str, int] = {}
        self.flaky_truncations = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_body(self, body: bytes, code=200, kind="image/jpeg", length=None, extra=()):
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for key, value in extra:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path
                server.hits[path] = server.hits.get(path, 0) + 1
                if path.startswith("/good/"):
                    body = jpeg(int(path.split("/")[2].split(".")[0]))
                    start = int(self.headers.get("Range", "bytes=0-")[6:-1] or 0)
                    if start >= len(body):
                        return self.send_body(b"", 416, "text/plain")
                    if start:
                        return self.send_body(
                            body[start:], 206, extra=[("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")]
                        )
                    if path in server.flaky_truncations and server.hits[path] == 1:  # first answer breaks off
                        return self.send_body(body[: len(body) // 2], length=len(body))
                    return self.send_body(body)
                if path == "/missing.jpg":
                    return self.send_body(b"not found", 404, "text/plain")
                if path == "/error.jpg":
                    return self.send_body(b"oops", 500, "text/plain")
                if path == "/flaky.jpg":
                    return (
                        self.send_body(b"busy", 503, "text/plain")
                        if server.hits[path] == 1
                        else self.send_body(jpeg(7))
                    )
                if path == "/slow.jpg":
                    time.sleep(1.0)
                    return self.send_body(jpeg(8))
                if path == "/moved.jpg":
                    return self.send_body(b"", 302, extra=[("Location", "/good/3.jpg")])
                if path == "/loop.jpg":
                    return self.send_body(b"", 302, extra=[("Location", "/loop.jpg")])
                if path == "/cut.jpg":
                    return self.send_body(jpeg(9)[:200], length=5000)
                if path == "/error-page.jpg":
                    return self.send_body(b"<html><body>Photo not found</body></html>", 200, "text/html")
                if path == "/sneaky-page.jpg":
                    return self.send_body(b"<!DOCTYPE html><html>gone</html>", 200, "image/jpeg")
                if path == "/unavailable.jpg":
                    return self.send_body(PLACEHOLDER)
                if path == "/huge.jpg":
                    return self.send_body(b"\\0" * HUGE * 2)
                return self.send_body(b"?", 404, "text/plain")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


CASES = {
    "good": ("/good/1.jpg", "ok"),
    "good2": ("/good/2.jpg", "ok"),
    "copy": ("/good/1.jpg", "duplicate"),
    "missing": ("/missing.jpg", "dead"),
    "error": ("/error.jpg", "dead"),
    "flaky": ("/flaky.jpg", "ok"),
    "slow": ("/slow.jpg", "timeout"),
    "moved": ("/moved.jpg", "ok"),
    "loop": ("/loop.jpg", "dead"),
    "cut": ("/cut.jpg", "dead"),
    "page": ("/error-page.jpg", "not_an_image"),
    "sneaky": ("/sneaky-page.jpg", "not_an_image"),
    "placeholder": ("/unavailable.jpg", "not_an_image"),
    "huge": ("/huge.jpg", "too_large"),
    "resumed": ("/good/4.jpg", "ok"),
}


def run(server, tmp_path, **options):
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame({"id": list(CASES), "url": [server.url + p for p, _ in CASES.values()]}).to_csv(manifest, index=False)
    defaults = dict(
        workers=4,
        max_bytes=HUGE,
        timeout=(1.0, 0.3),
        progress=False,
        backoff=0.01,
        placeholders={hashlib.sha256(PLACEHOLDER).hexdigest()},
    )
    return download(manifest, tmp_path / "out", **{**defaults, **options}).set_index("id")


def test_every_failure_is_reported_and_only_good_files_appear(server, tmp_path):
    server.flaky_truncations.add("/good/4.jpg")
    report = run(server, tmp_path)
    assert report["status"].to_dict() == {k: status for k, (_, status) in CASES.items()}
    assert report.loc["loop", "detail"] == "redirect loop"
    assert report.loc["missing", "detail"] == "HTTP 404" and report.loc["missing", "attempts"] == 1
    assert report.loc["error", "attempts"] == 3  # retried with backoff
    assert report.loc["copy", "detail"] == "same bytes as good"
    files = sorted(p.name for p in (tmp_path / "out" / "files").iterdir())
    assert files == ["copy.jpg", "flaky.jpg", "good.jpg", "good2.jpg", "moved.jpg", "resumed.jpg"]
    assert (tmp_path / "out" / "files" / "resumed.jpg").read_bytes() == jpeg(4)  # second half came by Range
    assert (tmp_path / "out" / "files" / "moved.jpg").read_bytes() == jpeg(3)
    for row in report[report["status"] == "ok"].itertuples():
        assert hashlib.sha256((tmp_path / "out" / row.file).read_bytes()).hexdigest() == row.sha256


def test_rerun_keeps_good_files_and_retries_failures(server, tmp_path):
    run(server, tmp_path)
    hits_before = dict(server.hits)
    report = run(server, tmp_path)
    assert server.hits["/good/2.jpg"] == hits_before["/good/2.jpg"]  # not fetched again
    assert server.hits["/missing.jpg"] == hits_before["/missing.jpg"] + 1  # failures are retried
    assert report.loc["good2", "status"] == "ok"


def test_a_complete_partial_file_from_an_interrupted_run_is_kept(server, tmp_path):
    manifest = tmp_path / "m.csv"
    pd.DataFrame({"id": ["a"], "url": [server.url + "/good/8.jpg"]}).to_csv(manifest, index=False)
    (tmp_path / "out" / "partial").mkdir(parents=True)
    (tmp_path / "out" / "partial" / "a.jpg.part").write_bytes(jpeg(8))  # fully fetched, never checked
    report = download(manifest, tmp_path / "out", progress=False)
    assert report.loc[0, "status"] == "ok" and (tmp_path / "out" / "files" / "a.jpg").read_bytes() == jpeg(8)


def test_checksum_mismatch(server, tmp_path):
    manifest = tmp_path / "m.csv"
    pd.DataFrame(
        {
            "url": [server.url + "/good/5.jpg", server.url + "/good/6.jpg"],
            "sha256": [hashlib.sha256(jpeg(5)).hexdigest(), "0" * 64],
        }
    ).to_csv(manifest, index=False)
    report = download(manifest, tmp_path / "out", progress=False)
    assert list(report["status"]) == ["ok", "checksum_mismatch"]
    assert not (tmp_path / "out" / "files" / "000001.jpg").exists()


def test_cli_download_and_bad_manifest(server, tmp_path, capsys):
    manifest = tmp_path / "m.csv"
    pd.DataFrame({"url": [server.url + "/good/1.jpg"]}).to_csv(manifest, index=False)
    assert main(["data", "download", str(manifest), "--out", str(tmp_path / "out")]) == 0
    assert "ok" in capsys.readouterr().out
    pd.DataFrame({"link": ["x"]}).to_csv(manifest, index=False)
    assert main(["data", "download", str(manifest), "--out", str(tmp_path / "out")]) == 2
    assert "needs a 'url' column" in capsys.readouterr().err


def test_crawl_server_plays_a_web_with_dead_links_and_placeholders(tmp_path):
    import requests

    from emocourse.data.crawlserver import PLACEHOLDER_SHA256, local_manifest, serve

    images = tmp_path / "crawl" / "images"
    images.mkdir(parents=True)
    (images / "000001.jpg").write_bytes(jpeg(1))
    pd.DataFrame(
        {
            "id": [1] + list(range(2, 40)),
            "query": "awe",
            "url": [f"https://x.invalid/awe/{i:06d}.jpg" for i in range(1, 40)],
        }
    ).to_csv(tmp_path / "m.csv", index=False)
    with serve(tmp_path / "crawl", slow_share=0, placeholder_share=0.5) as base:
        urls = pd.read_csv(local_manifest(tmp_path / "m.csv", base, tmp_path / "local.csv"))["url"]
        answers = [requests.get(u, timeout=5) for u in urls]
    assert answers[0].content == jpeg(1)
    dead = [a for a in answers[1:] if a.status_code == 404]
    placeholders = [a for a in answers[1:] if hashlib.sha256(a.content).hexdigest() == PLACEHOLDER_SHA256]
    assert dead and placeholders and len(dead) + len(placeholders) == 38
