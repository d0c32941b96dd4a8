"""scripts/bench.lua's check of each response, run by wrk against a server of the test's own:
a compressed answer is good only with its status, a gzip header and the size the bench read,
a plain one only with the text expected."""

import gzip
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bench  # from the scripts folder, which is not a package

PAGE = b"<!doctype html><p>" + b"A calm day. " * 500 + b"</p></html>"


class Answers(BaseHTTPRequestHandler):
    """/gzip: the page compressed; /gzip-cut: its first half, still marked gzip; /plain: the
    page as it is."""

    def do_GET(self):
        body, headers = PAGE, {}
        if self.path.startswith("/gzip"):
            body, headers = gzip.compress(PAGE), {"Content-Encoding": "gzip"}
            if self.path == "/gzip-cut":
                body = body[: len(body) // 2]
        self.send_response(200)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # wrk drops its connections at the end of a run


@pytest.fixture(scope="module")
def port():
    server = QuietServer((bench.HOST, 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def run(port, tmp_path, path, expect="</html>", **load):
    load = bench.Load("page", "A page", ((path, None, 0),), expect, **load)
    return bench.wrk(load, port, "", types.SimpleNamespace(seconds=1, connections=2), tmp_path)


@pytest.mark.parametrize(
    ("path", "load", "good"),
    [
        ("/gzip", {"gzip": True, "size": len(PAGE)}, True),
        ("/gzip", {"gzip": True, "size": len(PAGE) + 100}, False),  # another page's size
        ("/gzip", {"gzip": True}, False),  # compressed, where the bench read no size
        ("/gzip-cut", {"gzip": True, "size": len(PAGE)}, False),
        ("/plain", {}, True),
        ("/plain", {"expect": "</svg>"}, False),
        ("/plain", {"status": 302}, False),
    ],
)
def test_each_response_is_checked(port, tmp_path, path, load, good):
    result = run(port, tmp_path, path, **load)
    assert result.requests > 10
    assert (result.good, result.bad) == ((result.requests, 0) if good else (0, result.requests))
