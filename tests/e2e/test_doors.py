"""Side doors (issue 23), against the real servers: the action server answers only the Rasa server, `make run`
keeps it on loopback, and a REST client cannot pose as the terminal or read a diary file by a bare id."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from harness.conversation import new_sender
from harness.servers import (
    ROOT,
    ActionServer,
    action_headers,
    free_port,
    running_backline,
    server_env,
    tail,
    trained_model_dir,
)
from harness.stores import STORES

pytestmark = pytest.mark.e2e

# What the forged call did: show another channel's caregiver's diary, or delete it.
FORGED = {"next_action": "action_diary", "sender_id": "telegram:987654321", "version": "3.6.21", "domain": {},
          "tracker": {"sender_id": "telegram:987654321", "slots": {}, "events": [], "paused": False,
                      "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
                      "latest_message": {"text": "show the diary", "intent": {"name": "show_diary"},
                                         "entities": []}}}


def without_backline_settings() -> dict:
    """The environment of a server started from the repository root with no Backline setting."""
    return {name: "" for name in os.environ if name.startswith("BACKLINE_")}


@pytest.fixture(scope="module")
def bare_action_server(tmp_path_factory):
    """A plain `rasa run actions` from the repository root, no setting (the outside evaluation's way)."""
    server = ActionServer(tmp_path_factory.mktemp("doors"), env=without_backline_settings()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("call", [
    lambda url: requests.post(f"{url}/webhook", json=FORGED, timeout=30),
    lambda url: requests.post(f"{url}/webhook/", json=FORGED, timeout=30),
    lambda url: requests.post(f"{url}/webhook", json={**FORGED, "next_action": "action_delete_conversation"},
                              headers={"X-Backline-Action-Key": "guess" * 8}, timeout=30),
    lambda url: requests.get(f"{url}/actions", timeout=30),
], ids=["no credential", "trailing slash", "wrong credential", "action list"])
def test_the_action_server_refuses_a_call_without_the_rasa_servers_credential(bare_action_server, call):
    response = call(f"http://127.0.0.1:{bare_action_server.port}")
    assert response.status_code == 401, response.text
    assert "telegram" not in response.text and "diary" not in response.text.lower()


def test_the_action_server_answers_the_credentialed_caller_and_health_probes(bare_action_server):
    url = f"http://127.0.0.1:{bare_action_server.port}"
    assert requests.get(f"{url}/health", timeout=30).json() == {"status": "ok"}
    called = requests.post(f"{url}/webhook", json={**FORGED, "sender_id": "doors-own-id",
                                                   "tracker": {**FORGED["tracker"], "sender_id": "doors-own-id"}},
                           headers=action_headers(), timeout=60)
    assert called.status_code == 200, called.text


def listening_addresses(port: int) -> set:
    """The local addresses of the sockets listening on `port` (Linux /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc writes them


def test_make_run_keeps_the_action_server_on_loopback_and_the_two_servers_share_the_credential(tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    env = server_env({**without_backline_settings(), **{k: str(v) for k, v in ports.items()},
                      "BACKLINE_SQLITE_PATH": str(tmp_path / "run.db"),
                      "BACKLINE_PUBLIC_URL": f"http://127.0.0.1:{ports['RASA_PORT']}"})
    out = tmp_path / "run.out"
    with open(out, "wb") as log:
        run = subprocess.Popen(["bash", "scripts/run.sh", "server"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 400
        while b"Backline is running" not in out.read_bytes():
            assert run.poll() is None and time.monotonic() < deadline, tail(out) + tail(ROOT / "logs" / "rasa.log")
            time.sleep(1)
        actions = f"http://127.0.0.1:{ports['ACTIONS_PORT']}"
        assert listening_addresses(ports["ACTIONS_PORT"]) <= LOOPBACK, "the action server listens beyond loopback"
        assert listening_addresses(ports["ACTIONS_PORT"])
        assert requests.post(f"{actions}/webhook", json=FORGED, timeout=30).status_code == 401
        # The Rasa server's calls carry the credential: a diary entry (an action server call) is stored.
        sender = new_sender("doors-run")
        reply = requests.post(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
                              json={"sender": sender, "message": "log: her lower back hurt all night, about 6"},
                              timeout=120).json()
        assert "Saved in the diary" in " ".join(m.get("text", "") for m in reply), reply
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=60)


@pytest.fixture(scope="module")
def stored_backline(tmp_path_factory):
    """Both servers with Backline's own stores (endpoints.yml's), conversations in a SQLite file of this run."""
    workdir = tmp_path_factory.mktemp("doors-stored")
    with running_backline(workdir, model=trained_model_dir(), endpoints_extra=STORES,
                          env={"BACKLINE_SQLITE_PATH": str(workdir / "c.db")}) as rasa:
        yield rasa


def test_delete_my_conversation_revokes_the_web_id(stored_backline):
    """The web widget's id used to outlive "delete my conversation": the tab, or any copy of its id, went on
    in the deleted conversation's id. Now the tab gets a fresh id at once and the old one opens nothing."""
    from tests.channels.socket_client import Browser

    backline = stored_backline
    browser = Browser(backline.url)
    try:
        token = browser.start()
        assert browser.say("my wife has MS and her back hurts")
        browser.say("delete my conversation")
        done = browser.say("/affirm")
        assert "deleted" in " ".join(text or "" for text in done).lower(), done
        deadline = time.monotonic() + 15
        while browser.session == token and time.monotonic() < deadline:
            time.sleep(0.2)
        assert browser.session != token, "this tab goes on under a fresh id"
    finally:
        browser.close()
    returning = Browser(backline.url)
    try:
        assert returning.start(token).split(".")[0] != token.split(".")[0], "the deleted conversation's id is revoked"
    finally:
        returning.close()
