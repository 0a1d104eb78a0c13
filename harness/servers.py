"""Start and stop Backline's real servers (action server + Rasa) on free loopback ports.

Used by the end-to-end, channel, fault and benchmark code: one place that knows how Backline is
started, so the tests exercise the same commands as `make run`.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv" / "bin" / "rasa"
# Rasa otherwise phones home for telemetry and error reports; TensorFlow is chatty on start.


class MissingModel(RuntimeError):
    """No trained model where the real-server tests look: a test setup error, not a Backline bug."""


def trained_model_dir(path: Optional[Path] = None) -> Path:
    """The model the real servers load: `path` if given, else BACKLINE_E2E_MODEL / BACKLINE_TEST_MODEL (a model
    trained elsewhere), else models/ (`make test` trains it before the e2e stage); a .tar.gz or a folder of them.
    Raises MissingModel (pytest reports it as an error in the fixture that asked) when there is none."""
    path = Path(path or os.environ.get("BACKLINE_E2E_MODEL") or os.environ.get("BACKLINE_TEST_MODEL")
                or ROOT / "models")
    if not (path.is_file() or (path.is_dir() and any(path.glob("*.tar.gz")))):
        raise MissingModel(f"no trained model in {path}: run `make train` first (make test does)")
    return path


def trained_model_file(path: Optional[Path] = None) -> Path:
    """The archive of trained_model_dir(path): the file itself, or the newest .tar.gz of the folder."""
    model = trained_model_dir(path)
    return model if model.is_file() else sorted(model.glob("*.tar.gz"))[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of a server started from the project root: this process's, with the project's one
    environment preamble (ops/env.sh, as the Makefile and scripts use it), plus extra."""
    from ops.settings import process_environment

    env = dict(os.environ)
    env.update(process_environment(ROOT))
    env.update(extra or {})
    return env


def wait_until(url: str, timeout: float, proc: subprocess.Popen, log: Path, ok=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}:\n{tail(log)}")
        try:
            response = requests.get(url, timeout=2)
            if response.ok and (ok is None or ok(response)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout} s:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class ActionServer:
    workdir: Path
    port: int = field(default_factory=free_port)
    env: Dict[str, str] = field(default_factory=dict)
    proc: Optional[subprocess.Popen] = None
    # Backline's actions by default; the benchmark's action floor serves its own one-action module.
    module: str = "actions"

    @property
    def log(self) -> Path:
        return self.workdir / f"actions-{self.port}.log"

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self, timeout: float = 90) -> "ActionServer":
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(RASA), "run", "actions", "--actions", self.module, "--port", str(self.port)],
                cwd=ROOT, env=server_env(self.env), stdout=out, stderr=subprocess.STDOUT,
            )
        wait_until(f"http://127.0.0.1:{self.port}/health", timeout, self.proc, self.log)
        return self

    def stop(self) -> None:
        stop_process(self.proc)


@dataclass
class RasaServer:
    workdir: Path
    action_url: str
    port: int = field(default_factory=free_port)
    model: Path = ROOT / "models"
    endpoints_extra: str = ""
    env: Dict[str, str] = field(default_factory=dict)
    args: List[str] = field(default_factory=list)
    proc: Optional[subprocess.Popen] = None
    # The HTTP API (trackers): on by default here; off, or behind `--auth-token`, for the privacy tests.
    enable_api: bool = True
    auth_token: Optional[str] = None

    @property
    def log(self) -> Path:
        return self.workdir / f"rasa-{self.port}.log"

    @property
    def api_params(self) -> Dict[str, str]:
        return {"token": self.auth_token} if self.auth_token else {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoints_file(self) -> Path:
        path = self.workdir / f"endpoints-{self.port}.yml"
        path.write_text(f"action_endpoint:\n  url: {self.action_url}\n{self.endpoints_extra}")
        return path

    def start(self, timeout: float = 240) -> "RasaServer":
        api = ["--enable-api"] if self.enable_api else []
        if self.enable_api and self.auth_token:
            api += ["--auth-token", self.auth_token]
        cmd = [
            str(RASA), "run", "-m", str(self.model), *api, "-i", "127.0.0.1",
            "--port", str(self.port), "--endpoints", str(self.endpoints_file()),
            "--credentials", str(ROOT / "credentials.yml"), *self.args,
        ]
        # The diary's links name this server (ops/report_links.py), not `make run`'s port.
        env = {"BACKLINE_PUBLIC_URL": self.url, **self.env}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(env), stdout=out, stderr=subprocess.STDOUT)
        if self.enable_api:
            query = f"?token={self.auth_token}" if self.auth_token else ""
            wait_until(f"{self.url}/status{query}", timeout, self.proc, self.log,
                       ok=lambda r: bool(r.json().get("model_id")))
        else:  # without the API only "/" answers, once the model is loaded
            wait_until(f"{self.url}/", timeout, self.proc, self.log)
        return self

    def stop(self) -> None:
        stop_process(self.proc)

    def say(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params=self.api_params, timeout=30)
        response.raise_for_status()
        return response.json()


# What the action server must see as the Rasa server does: where the links point, and the database.
@contextmanager
def running_backline(workdir: Path, **rasa_options) -> Iterator["RasaServer"]:
    """An action server and a Rasa server in front of it, stopped however the caller's block ends. The action
    server makes the diary's links with the Rasa server's address (BACKLINE_PUBLIC_URL) and writes the diary
    to the Rasa server's database."""
    port = rasa_options.pop("port", None) or free_port()
    # As `make run` does: the key that signs the diary links exists before two servers could each make one.
    from ops.settings import action_secret, web_secret

    web_secret(create=True)
    action_secret(create=True)  # the action server's credential, read by both servers (ops/action_guard.py)
    # The diary lives in the tracker database: the action server writes it, the Rasa server serves and deletes
    # it, so both get the same Backline settings. Unless the caller names a database, it is a file of this
    # run's own, never the project's var/backline.db.
    env = {"BACKLINE_SQLITE_PATH": str(workdir / f"backline-{port}.db"), "BACKLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
           **(rasa_options.pop("env", None) or {})}
    actions = ActionServer(workdir, env={key: value for key, value in env.items()
                                         if key.startswith("BACKLINE_")}).start()
    rasa_options["env"] = env
    rasa = RasaServer(workdir, action_url=actions.webhook, port=port, **rasa_options)
    try:
        rasa.start()
        yield rasa
    finally:
        rasa.stop()
        actions.stop()


def stop_process(proc: Optional[subprocess.Popen], timeout: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def process_tree(pid: int) -> List[int]:
    """pid and all its descendants (Linux /proc), for memory readings that include children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def peak_memory_kb(pid: int) -> int:
    """Sum of VmHWM (peak resident set) over pid and its descendants, in KiB; 0 if it is gone."""
    total = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


def action_headers() -> Dict[str, str]:
    """The Rasa server's credential, for calls straight to the action server (ops/action_guard.py)."""
    from ops import action_guard

    return {action_guard.HEADER: action_guard.credential()}


def warm_up_actions(actions: ActionServer, timeout: float = 120) -> float:
    """One action call straight to the action server, in seconds. Its first call builds the clinical
    core's matchers (seconds on a 2-core machine), longer than a Rasa server's short test timeout."""
    body = {"next_action": "action_escalate", "sender_id": "warm-up", "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": "warm-up", "slots": {}, "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen",
                        "latest_message": {"text": "my dad has ALS and his back hurts", "intent": {}, "entities": []}}}
    started = time.monotonic()
    requests.post(actions.webhook, json=body, headers=action_headers(), timeout=timeout).raise_for_status()
    return time.monotonic() - started
