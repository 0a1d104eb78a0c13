"""Fixtures for the channel tests: the real Backline servers with Slack and Telegram switched on and
pointed at local fakes, the website served as `make run` serves it, and Debian's chromium.

Everything listens on 127.0.0.1 and free ports; nothing reaches the internet. The model is the one in
models/ (CI trains it before the e2e stage); BACKLINE_TEST_MODEL=/path/to/models overrides it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from harness.servers import ROOT, free_port, running_backline, server_env, stop_process, trained_model_dir, wait_until
from harness.stores import STORES, fresh_pg_database
from tests.channels.fakes import fake_slack, fake_telegram

SLACK_SIGNING_SECRET = "test-signing-secret-8f2c1d"
SLACK_BOT_TOKEN = "xoxb-test-backline"
TELEGRAM_BOT_TOKEN = "123456:TEST-backline-token"
TELEGRAM_SECRET_TOKEN = "test-telegram-secret-41ab"
TELEGRAM_WEBHOOK_URL = "https://backline.example.org/webhooks/telegram/webhook"
CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine needs (python-svc.md): no GPU, no sandbox as root, no background traffic.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def slack_api():
    fake = fake_slack().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def telegram_api():
    fake = fake_telegram(TELEGRAM_BOT_TOKEN).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def channel_server(tmp_path_factory, slack_api, telegram_api, web_port):
    """Action server + Rasa server (credentials.yml as committed) with every channel on: REST, socket.io,
    Slack and Telegram, whose outgoing APIs are the local fakes; the stores of `make run` (endpoints.yml)
    on a PostgreSQL database of their own, so "delete my conversation" deletes the diary as it does in use.
    (Not SQLite: there the diary route's read of the report failed with OperationalError, 503, in one run.)"""
    with fresh_pg_database("backline_channels") as database_url:
        yield from _channel_server(tmp_path_factory, slack_api, telegram_api, web_port, database_url)


def _channel_server(tmp_path_factory, slack_api, telegram_api, web_port, database_url):
    workdir = tmp_path_factory.mktemp("channel-servers")
    env = {
        "BACKLINE_DB_URL": database_url,
        "SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url + "/api/",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_BOT_TOKEN,
        "TELEGRAM_BOT_USERNAME": "backline_test_bot",
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK_URL,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET_TOKEN,
        "TELEGRAM_API_URL": telegram_api.url,
    }
    # As `make run`: the page's origin may use the socket.io channel across ports (CORS).
    with running_backline(workdir, model=trained_model_dir(), env=env, endpoints_extra=STORES,
                          args=["--cors", f"http://127.0.0.1:{web_port}"]) as rasa:
        yield rasa


@contextmanager
def serving_page(workdir: Path, port: int, server_url: str) -> Iterator[str]:
    """web/ served the way `make run` serves it (ops/webpage.py), talking to `server_url`; index.html's URL."""
    if not (ROOT / "web" / "vendor" / "rasa-webchat.js").is_file():
        pytest.fail("web/vendor/rasa-webchat.js is missing: run `make install` (npm ci, then ops.webpage --vendor)")
    log = workdir / f"web-{port}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ops.webpage", "--bind", "127.0.0.1", "--port", str(port), "--server", server_url],
            cwd=ROOT, env=server_env(), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(f"http://127.0.0.1:{port}/index.html", 30, proc, log)
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        stop_process(proc)


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def web_page(tmp_path_factory, web_port, channel_server):
    """The page for the channel server, as `make run` serves it; the URL of index.html."""
    with serving_page(tmp_path_factory.mktemp("web"), web_port, channel_server.url) as url:
        yield url


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def browser():
    """Debian's chromium driven by Playwright: never a browser download."""
    with chromium_browser() as chromium:
        yield chromium


@contextmanager
def chromium_browser():
    """Debian's chromium, launched by Playwright's sync API (which holds an event loop on this thread while
    it runs: tests that call asyncio.run() must not run inside it)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: run `make install` (requirements/dev.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="package")  # torn down after tests/channels, before other e2e tests run
def screenshots_dir() -> Path:
    """results/screenshots/ by default; SCREENSHOTS_DIR=docs/screenshots refreshes the README's pictures."""
    path = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "results" / "screenshots")
    if not path.is_absolute():
        path = ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path
