"""The harness the real-server tests and the benchmark stand on: ids, stores, the model lookup, processes."""
import os
import re
import subprocess
import sys
import time

import pytest
import yaml

from harness import conversation, servers, stores


def test_new_senders_are_plain_and_unique():
    ids = {conversation.new_sender("persist-del") for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"persist-del-[0-9a-f]{10}", sender) for sender in ids)
    assert re.fullmatch(r"e2e-[0-9a-f]{10}", conversation.new_sender())


@pytest.mark.parametrize("prefix", ["slack:", "telegram:U1", "web:", "a:b", ""])
def test_a_sender_prefix_can_never_take_another_channels_shape(prefix):
    with pytest.raises(ValueError, match="plain word"):
        conversation.new_sender(prefix)


def test_every_topic_has_a_typical_answer_and_anything_else_is_unsure():
    assert set(conversation.ANSWERS) == set(conversation.TOPICS)
    assert all(conversation.answer_for(topic).strip() for topic in conversation.TOPICS)
    assert conversation.answer_for("no_such_topic") == conversation.UNSURE


def test_texts_joins_reply_texts_and_skips_replies_without_one():
    replies = [{"text": "Seek care now."}, {"image": "x.png"}, {"text": None}, {"text": "Call 999."}]
    assert conversation.texts(replies).split() == ["Seek", "care", "now.", "Call", "999."]
    assert conversation.texts([]) == ""


def test_the_store_settings_are_endpoints_yml_s(tmp_path):
    project = yaml.safe_load(stores.ENDPOINTS.read_text())
    assert yaml.safe_load(stores.STORES) == {key: project[key] for key in stores.STORE_KEYS}
    other = tmp_path / "endpoints.yml"
    sections = {"tracker_store": {"type": "SQL"}, "lock_store": {"type": "redis"}}
    other.write_text(yaml.safe_dump({"action_endpoint": {"url": "http://x/webhook"}, **sections}))
    assert yaml.safe_load(stores.store_endpoints(other)) == sections


def test_an_endpoints_file_without_stores_is_refused(tmp_path):
    other = tmp_path / "endpoints.yml"
    other.write_text("action_endpoint:\n  url: http://x/webhook\ntracker_store:\n  type: SQL\n")
    with pytest.raises(ValueError, match="lock_store"):
        stores.store_endpoints(other)


def test_the_model_lookup_names_the_fix_when_there_is_no_model(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKLINE_E2E_MODEL", raising=False)
    monkeypatch.delenv("BACKLINE_TEST_MODEL", raising=False)
    with pytest.raises(servers.MissingModel, match="make train"):
        servers.trained_model_dir(tmp_path)
    with pytest.raises(servers.MissingModel):
        servers.trained_model_dir(tmp_path / "missing")
    (tmp_path / "backline.tar.gz").write_bytes(b"")
    assert servers.trained_model_dir(tmp_path) == tmp_path
    assert servers.trained_model_dir(tmp_path / "backline.tar.gz") == tmp_path / "backline.tar.gz"
    monkeypatch.setenv("BACKLINE_TEST_MODEL", str(tmp_path))
    assert servers.trained_model_dir() == tmp_path


def test_the_harness_does_not_load_pytest():
    """bench/ imports the harness in a process without pytest."""
    probe = "import sys, harness.servers, harness.conversation, harness.stores; print('pytest' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=servers.ROOT, capture_output=True, text=True,
                            env=servers.server_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"


def test_server_env_is_quiet_finds_the_project_and_leaves_this_process_alone():
    before = dict(os.environ)
    env = servers.server_env({"BACKLINE_SQLITE_PATH": "/tmp/x.db"})
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["PYTHONPATH"] == str(servers.ROOT)
    assert env["BACKLINE_SQLITE_PATH"] == "/tmp/x.db"
    assert dict(os.environ) == before


def test_free_ports_are_free():
    import socket

    port = servers.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_stop_process_ends_a_running_process_and_tolerates_a_finished_one():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()
    servers.stop_process(proc)
    assert proc.returncode is not None and time.monotonic() - started < 20
    servers.stop_process(proc)  # already gone
    servers.stop_process(None)


def test_memory_readings_cover_a_process_and_its_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in servers.process_tree(os.getpid())
        assert servers.peak_memory_kb(os.getpid()) > servers.peak_memory_kb(child.pid) > 0
    finally:
        servers.stop_process(child)
    assert servers.peak_memory_kb(child.pid) == 0
