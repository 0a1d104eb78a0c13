"""Serves the web page (web/) for `make run` and the tests, pointed at one Rasa server.

    python -m ops.webpage --port 8080 --server http://127.0.0.1:5005
    python -m ops.webpage --vendor        # `make install`: web/vendor/rasa-webchat.js from web/node_modules

The page talks only to the servers its `backline-servers` meta tag lists (same origin when it lists
none, as behind deploy/nginx.conf). Here the page and Rasa are on different ports, so index.html is
served with the given server (and BACKLINE_WEB_ORIGINS) in that tag and in the Content-Security-Policy's
connect-src and img-src (the diary chart is an image served by the Rasa server), and every response
carries the security headers nginx sends in a deployment.

The widget (rasa-webchat 1.0.1) puts `@import url(https://fonts.googleapis.com/...)` in each of its 11
stylesheets; the page's CSP blocks them (11 console errors per load) and the page should not send its
visitors' addresses to Google anyway. `--vendor` writes the widget's script without those imports to
web/vendor/rasa-webchat.js, which index.html loads; the widget falls back to the page's own fonts.
"""
from __future__ import annotations

import argparse
import functools
import re
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Optional

from ops import settings

WEB = settings.ROOT / "web"
WIDGET = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
VENDORED_WIDGET = WEB / "vendor" / "rasa-webchat.js"
# frame-ancestors only works as a header (a <meta> CSP cannot carry it); the page's own CSP is in index.html.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY", "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
                    "Content-Security-Policy": "frame-ancestors 'none'"}
# A CSS @import of another site's stylesheet, as the widget's bundled CSS strings carry it.
REMOTE_IMPORT = re.compile(r"@import url\([\"']?https?://[^)\"']*[\"']?\);")
ANY_REMOTE_IMPORT = re.compile(r"@import\s+(url\()?\s*[\"']?https?:", re.IGNORECASE)


def without_remote_imports(script: str) -> str:
    """The widget's script without its stylesheets' @imports of other sites (the Google web font)."""
    cleaned = REMOTE_IMPORT.sub("", script)
    if ANY_REMOTE_IMPORT.search(cleaned):
        raise ValueError("the widget still imports a remote stylesheet in a form this cleaner does not know")
    return cleaned


def vendor_widget(source: Path = WIDGET, target: Path = VENDORED_WIDGET) -> int:
    """Writes the page's copy of the widget; returns how many remote imports it dropped."""
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing: run `make install` (npm ci in web/)")
    script = source.read_text(encoding="utf-8")
    cleaned = without_remote_imports(script)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(cleaned, encoding="utf-8")
    return len(REMOTE_IMPORT.findall(script))


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
    parser.add_argument("--server", help="the Rasa server the page talks to")
    parser.add_argument("--vendor", action="store_true", help=f"write {VENDORED_WIDGET.relative_to(settings.ROOT)}"
                        " (the widget without its remote web font) and exit")
    args = parser.parse_args(argv)
    if args.vendor:
        try:
            dropped = vendor_widget()
        except (OSError, ValueError) as error:
            parser.exit(1, f"{parser.prog} --vendor: {error}\n")
        print(f"{VENDORED_WIDGET.relative_to(settings.ROOT)}: the widget without {dropped} remote font imports")
        return
    if not args.server:
        parser.error("--server is required (the Rasa server the page talks to), e.g. http://127.0.0.1:5005")
    if not re.fullmatch(r"https?://[^\s/\"'<>]+", args.server):
        parser.error(f"--server {args.server!r} is not an origin such as http://127.0.0.1:5005")
    page = page_for([args.server, *settings.web_origins()])
    handler = functools.partial(type("Page", (PageHandler,), {"page": page}), directory=str(WEB))
    ThreadingHTTPServer((args.bind, args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
