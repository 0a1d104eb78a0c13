"""The environment of a diary test: no BACKLINE_* setting (nor RASA_PORT) from the caller's shell, a key of its own, and
rendered files under the test's own folder (shared by tests/ops, tests/reports and tests/channels)."""
import os


def isolate(monkeypatch, tmp_path, key: str = "diary-test-key-" + "9" * 40) -> None:
    from ops import diary_store

    for name in list(os.environ):
        if name.startswith("BACKLINE_") or name == "RASA_PORT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKLINE_WEB_SECRET", key)
    monkeypatch.setattr(diary_store, "REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setattr(diary_store, "_stores", {})
