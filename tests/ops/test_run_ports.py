"""`make run` / `make shell` (scripts/run.sh) with other ports: RASA_PORT and ACTIONS_PORT reach every process.

scripts/run.sh runs here for real, in a copy of the project whose .venv/bin/rasa is a stand-in: it records
how it was called (arguments, the ports it was given, the endpoints file) and, as `rasa run actions`, answers
/health on the port it was given, so the script's own waiting works. Python, ops/ and the settings are the
project's own, so the pre-flight check that names a wrong setting runs too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.servers import ROOT, free_port

FAKE_RASA = r'''#!/usr/bin/env bash
# Stand-in for .venv/bin/rasa: records the call, serves /health for `run actions`, exits for `shell`.
python3 - "$@" <<'PY' >>"$FAKE_RASA_LOG"
import json, os, sys
args = sys.argv[1:]
endpoints = args[args.index("--endpoints") + 1] if "--endpoints" in args else None
print(json.dumps({"args": args, "RASA_PORT": os.environ.get("RASA_PORT"),
                  "ACTIONS_PORT": os.environ.get("ACTIONS_PORT"),
                  "endpoints": open(endpoints).read() if endpoints else None}))
PY
if [ "$1 $2" = "run actions" ]; then
  port=5055; prev=""
  for arg in "$@"; do [ "$prev" = --port ] && port="$arg"; prev="$arg"; done
  exec python3 -c '
import http.server, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()' "$port"
fi
exit 0
'''


def project_copy(tmp_path: Path) -> Path:
    """The project's files (linked), with scripts/ copied (run.sh finds the project from its own place) and
    a .venv whose python is this one and whose rasa is the stand-in."""
    root = tmp_path / "backline"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {".venv", "scripts", "logs", "var", ".git"}:
            (root / entry.name).symlink_to(entry)
    (root / "scripts").mkdir()
    (root / "scripts" / "run.sh").write_text((ROOT / "scripts" / "run.sh").read_text())
    venv = root / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # a link would lose the venv
    (venv / "python").chmod(0o755)
    (venv / "rasa").write_text(FAKE_RASA)
    (venv / "rasa").chmod(0o755)
    return root


def run_script(root: Path, mode: str, env: dict) -> tuple:
    log = root / "rasa-calls.jsonl"
    full = {key: value for key, value in os.environ.items()
            if not key.startswith(("BACKLINE_", "RASA_PORT", "ACTIONS_PORT", "WEB_PORT"))}
    full.update({"FAKE_RASA_LOG": str(log), "BACKLINE_SQLITE_PATH": str(root / "test.db"),
                 "BACKLINE_WEB_SECRET": "run-ports-test-" + "5" * 40, **env})
    done = subprocess.run(["bash", str(root / "scripts" / "run.sh"), mode], cwd=root, env=full,
                          capture_output=True, text=True, timeout=120)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def test_make_shell_uses_the_given_rasa_and_action_ports(tmp_path):
    root = project_copy(tmp_path)
    rasa_port, actions_port = free_port(), free_port()
    done, calls = run_script(root, "shell", {"RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port)})
    assert done.returncode == 0, done.stderr
    actions, shell = calls
    assert actions["args"][:2] == ["run", "actions"] and actions["args"][actions["args"].index("--port") + 1] == \
        str(actions_port)
    # The action server makes the diary links: it is told the Rasa port (ops.settings.public_url).
    assert actions["RASA_PORT"] == str(rasa_port)
    assert shell["args"][0] == "shell"
    assert shell["args"][shell["args"].index("--port") + 1] == str(rasa_port)
    assert f"http://127.0.0.1:{actions_port}/webhook" in shell["endpoints"]
    # As `make run`: Rasa listens on loopback only.
    assert shell["args"][shell["args"].index("--interface" if "--interface" in shell["args"] else "-i") + 1] == \
        "127.0.0.1"


@pytest.mark.parametrize("port", ["web", "99999"])
def test_a_wrong_rasa_port_stops_make_run_with_the_setting_named(tmp_path, port):
    root = project_copy(tmp_path)
    done, calls = run_script(root, "shell", {"RASA_PORT": port, "ACTIONS_PORT": str(free_port())})
    assert done.returncode != 0
    assert "RASA_PORT" in done.stderr and "1 to 65535" in done.stderr
    assert not any(call["args"][0] == "shell" for call in calls)
