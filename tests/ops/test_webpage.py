"""The page server and the page's copy of the widget (ops/webpage.py): what the browser gets before any chat."""
from __future__ import annotations

import re
import threading
from http.server import ThreadingHTTPServer

import pytest
import requests

from ops import webpage

FONT = "@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"


def test_the_widgets_copy_loses_only_its_remote_stylesheet_imports():
    bundle = 'push([e.i,"' + FONT + '.rw-reply{color:red}",""]);var a="https://docs.google.com/viewer";' \
             'push([e.i,"@import url(\'https://example.org/x.css\');.b{}",""])'
    cleaned = webpage.without_remote_imports(bundle)
    assert "@import" not in cleaned
    assert '.rw-reply{color:red}' in cleaned and '.b{}' in cleaned
    assert 'var a="https://docs.google.com/viewer"' in cleaned  # not a stylesheet: left alone
    with pytest.raises(ValueError, match="remote stylesheet"):
        webpage.without_remote_imports("@import url(https://a.example/x.css) screen;")


def test_vendor_writes_the_page_copy_of_the_installed_widget(tmp_path):
    if not webpage.WIDGET.is_file():
        pytest.fail(f"{webpage.WIDGET} is missing: run `make install` (it runs npm ci in web/)")
    target = tmp_path / "vendor" / "rasa-webchat.js"
    assert webpage.vendor_widget(webpage.WIDGET, target) == 11  # one per stylesheet of rasa-webchat 1.0.1
    script = target.read_text()
    assert "fonts.googleapis" not in script and "@import url(http" not in script
    assert len(script) > 0.99 * len(webpage.WIDGET.read_text())
    assert webpage.main(["--vendor"]) is None and webpage.VENDORED_WIDGET.is_file()


def test_vendor_says_what_to_do_when_the_widget_is_not_installed(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="make install"):
        webpage.vendor_widget(tmp_path / "missing.js", tmp_path / "out.js")


def test_the_page_is_served_with_the_headers_a_meta_csp_cannot_carry():
    page = webpage.page_for(["http://127.0.0.1:5105"])
    handler = type("Page", (webpage.PageHandler,), {"page": page})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(webpage.WEB)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.get(f"http://127.0.0.1:{server.server_port}/", timeout=10)
    finally:
        server.shutdown()
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    meta = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', response.text).group(1)
    # frame-ancestors in a <meta> policy is ignored, with a console error on every load.
    assert "frame-ancestors" not in meta
    assert "connect-src 'self' http://127.0.0.1:5105;" in meta and "img-src 'self' data: http://127.0.0.1:5105;" in meta
    assert '<meta name="backline-servers" content="http://127.0.0.1:5105">' in response.text


def test_serving_needs_a_server_and_says_so(capsys):
    with pytest.raises(SystemExit):
        webpage.main([])
    assert "--server is required" in capsys.readouterr().err
