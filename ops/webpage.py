"""Serves the web page (web/) for `make run` and the tests, pointed at one Rasa server.

    python -m ops.webpage --port 8080 --server http://127.0.0.1:5005

The page talks only to the servers its `backline-servers` meta tag lists (same origin when it lists
none, as behind deploy/nginx.conf). Here the page and Rasa are on different ports, so index.html is
served with the given server (and BACKLINE_WEB_ORIGINS) in that tag and in the Content-Security-Policy's
connect-src and img-src (the diary chart is an image served by the Rasa server), and every response
carries the security headers nginx sends in a deployment.
"""
from __future__ import annotations

import argparse
import functools
import re
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional

from ops import settings

WEB = settings.ROOT / "web"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY", "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def page_for(servers: List[str]) -> bytes:
    html = (WEB / "index.html").read_text()
    listed = " ".join(servers)
    html = html.replace('<meta name="backline-servers" content="">',
                        f'<meta name="backline-servers" content="{listed}">')
    html = re.sub(r"connect-src 'self'", f"connect-src 'self' {listed}".rstrip(), html, count=1)
    html = re.sub(r"img-src 'self' data:", f"img-src 'self' data: {listed}".rstrip(), html, count=1)
    return html.encode()


class PageHandler(SimpleHTTPRequestHandler):
    page = b""

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        if self.path.split("?")[0] in ("/", "/index.html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        # Paths only (no query strings): the page takes no personal data in its URL, and keeps it that way.
        super().log_message("%s", self.path.split("?")[0])


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ops.webpage", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--server", required=True, help="the Rasa server the page talks to")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"https?://[^\s/\"'<>]+", args.server):
        parser.error(f"--server {args.server!r} is not an origin such as http://127.0.0.1:5005")
    page = page_for([args.server, *settings.web_origins()])
    handler = functools.partial(type("Page", (PageHandler,), {"page": page}), directory=str(WEB))
    ThreadingHTTPServer((args.bind, args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
