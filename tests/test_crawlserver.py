"""The chapter-1 crawl server: a client that gives up on a slow link leaves no traceback behind."""

import socket
import time

from emocourse.data.crawlserver import serve
from images import photo


def test_a_client_hanging_up_on_a_slow_link_prints_nothing(tmp_path, capfd):
    photo(tmp_path / "images" / "000001.jpg", seed=1, size=64)
    with serve(tmp_path, slow_share=1.0, slow_seconds=0.3) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        for _ in range(3):  # the downloader's way: ask, wait a little, give up
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(b"GET /amusement/000001.jpg HTTP/1.1\r\nHost: x\r\n\r\n")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        time.sleep(0.6)  # the server answers into closed connections
    assert "Traceback" not in capfd.readouterr().err
