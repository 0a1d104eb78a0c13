"""Fault tests: the real action server and Rasa server on loopback, with faults put between them.

The Rasa server talks to the action server through `ActionProxy`, a small HTTP forwarder in the test
process, so a test can make the action server *refuse connections* (the proxy's port closed: exactly
what Rasa sees when `rasa run actions` is down), *slow* (a delay before forwarding) or *gone behind a
proxy* (the real action server stopped: the forwarder answers 502). Everything is bounded: every
request has a timeout, every delay a cap, and every server started is stopped.
BACKLINE_E2E_MODEL points the servers at another trained model (default: models/, as CI trains it).
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest
import requests

from harness.conversation import ANSWERS, TOPICS, answer_for, new_sender  # noqa: F401 (used by the tests)
from harness.servers import ActionServer, RasaServer, free_port
from harness.servers import trained_model_dir as model_dir  # noqa: F401
from harness.servers import warm_up_actions as warm_up
from harness.stores import STORES
from ops import action_guard

# Short enough for the tests, long enough for a 10,000-character message on a busy 2-core machine.
ACTION_TIMEOUT = 4.0
MAX_DELAY = 30.0
TROUBLE = "having trouble"
# Words of the red-flag advice that goes with every trouble message (bot/knowledge/messages.yml chat.trouble_safety).
RED_FLAG_ADVICE = ("seek care now", "bladder or bowel", "trouble breathing")






def texts(replies) -> str:
    return " ".join(r.get("text") or "" for r in replies)




class ActionProxy:
    """Forwards POST /webhook to the real action server; can refuse, delay or fail."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.delay = 0.0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self) -> "ActionProxy":
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                time.sleep(min(proxy.delay, MAX_DELAY))
                try:
                    # the Rasa server's credential goes through, as through any proxy (ops/action_guard.py)
                    passed = {k: v for k, v in self.headers.items() if k.lower() == action_guard.HEADER.lower()}
                    upstream = requests.post(proxy.upstream, data=body, timeout=MAX_DELAY,
                                             headers={"Content-Type": "application/json", **passed})
                    status, payload = upstream.status_code, upstream.content
                except requests.RequestException:
                    status, payload = 502, b'{"error": "action server unreachable"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the Rasa server gave up waiting (the slow-server test)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def refuse(self) -> None:
        """Close the port: connections are refused, as when the action server is down."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def stop(self) -> None:
        self.refuse()


class Stack:
    def __init__(self, actions: ActionServer, proxy: ActionProxy, rasa: RasaServer) -> None:
        self.actions, self.proxy, self.rasa = actions, proxy, rasa

    def say(self, sender: str, message: str, timeout: float = 60):
        return self.rasa.say(sender, message, timeout=timeout)

    def slots(self, sender: str) -> dict:
        return self.rasa.tracker(sender)["slots"]

    def active_loop(self, sender: str):
        return (self.rasa.tracker(sender).get("active_loop") or {}).get("name")

    def restart_actions(self) -> None:
        self.actions.stop()
        self.actions = ActionServer(self.actions.workdir, port=self.actions.port).start()
        warm_up(self.actions)



def start_stack(tmp_path_factory, name: str, env: dict) -> Iterator[Stack]:
    """Action server <- proxy <- Rasa server (SQLite store in a temporary folder)."""
    workdir = tmp_path_factory.mktemp(name)
    started: List = []
    stack = None
    try:
        actions = ActionServer(workdir).start()
        started.append(actions)
        warm_up(actions)
        proxy = ActionProxy(actions.webhook).start()
        started.append(proxy)
        rasa = RasaServer(workdir, action_url=proxy.url, model=model_dir(), endpoints_extra=STORES,
                          env={"BACKLINE_SQLITE_PATH": str(workdir / "conversations.db"),
                               "BACKLINE_ACTION_TIMEOUT": str(ACTION_TIMEOUT), **env})
        started.append(rasa)
        rasa.start()
        stack = Stack(actions, proxy, rasa)
        yield stack
    finally:
        for server in reversed(started):
            server.stop()
        if stack is not None:
            stack.actions.stop()  # a restarted action server is a new process


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """The servers as `make run` starts them: every speed-up on, so the core's own actions run in the Rasa
    server (components/local_actions.py) and only the diary's and privacy's reach the action server."""
    yield from start_stack(tmp_path_factory, "faults", {})


@pytest.fixture(scope="session")
def remote_stack(tmp_path_factory) -> Iterator[Stack]:
    """The same with the speed-up local_actions off: every custom action goes through the faults."""
    yield from start_stack(tmp_path_factory, "faults-remote", {"BACKLINE_SPEEDUPS_OFF": "local_actions"})


def ready(stack: Stack) -> Iterator[Stack]:
    """The stack with the action server reachable and fast, before and after the test."""
    stack.proxy.delay = 0.0
    if stack.proxy.server is None:
        stack.proxy.start()  # the same port again
    if stack.actions.proc is None or stack.actions.proc.poll() is not None:
        stack.restart_actions()
    yield stack
    stack.proxy.delay = 0.0


@pytest.fixture
def healthy(stack) -> Iterator[Stack]:
    yield from ready(stack)
