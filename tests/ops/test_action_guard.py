"""The action server's credential (issue 23): the check itself, the plugin that puts it on rasa_sdk's app, the
header the Rasa server sends, the shared key file, and weak secrets refused at start-up. The same over HTTP
against real servers: tests/e2e/test_doors.py."""
from __future__ import annotations

import os
import stat

import pytest

from ops import action_guard, settings

KEY = b"k" * 64


@pytest.mark.parametrize("method, path, given, ok", [
    ("POST", "/webhook", None, False),
    ("POST", "/webhook", "", False),
    ("POST", "/webhook", "k" * 63, False),
    ("POST", "/webhook", "K" * 64, False),
    ("POST", "/webhook/", None, False),
    ("GET", "/actions", None, False),
    ("POST", "/health", None, False),
    ("OPTIONS", "/webhook", None, False),
    ("POST", "/webhook", "k" * 64, True),
    ("GET", "/actions", "k" * 64, True),
    ("GET", "/health", None, True),
])
def test_only_a_call_with_the_credential_or_a_health_probe_is_allowed(method, path, given, ok):
    assert action_guard.allowed(method, path, given, KEY) is ok


def test_importing_the_actions_registers_the_check_with_rasa_sdk():
    from rasa_sdk.plugin import plugin_manager

    import actions  # noqa: F401

    class App:
        def __init__(self):
            self.middlewares = []

        def middleware(self, kind):
            def add(function):
                self.middlewares.append((kind, function))
                return function
            return add

    app = App()
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    assert [kind for kind, _ in app.middlewares] == ["request"]


def test_the_rasa_server_sends_the_credential_once(monkeypatch):
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setenv("BACKLINE_ACTION_SECRET", "a" * 40)
    endpoint = EndpointConfig("http://127.0.0.1:5055/webhook", headers={"X-Other": "1"})
    action_guard.attach(endpoint)
    action_guard.attach(endpoint)
    assert endpoint.headers == {"X-Other": "1", action_guard.HEADER: "a" * 40}
    action_guard.attach(None)  # no action endpoint configured: nothing to do


def test_both_servers_of_a_checkout_share_a_private_key_file(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    first = settings.action_secret({})
    assert settings.action_secret({}) == first and len(first) >= settings.MIN_SECRET_CHARS
    path = tmp_path / settings.ACTION_SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert settings.web_secret({}) != first, "each secret has its own key"
    assert settings.action_secret({"BACKLINE_ACTION_SECRET": "b" * 32}) == b"b" * 32


@pytest.mark.parametrize("name", ["BACKLINE_WEB_SECRET", "BACKLINE_API_TOKEN", "BACKLINE_JWT_SECRET",
                                  "BACKLINE_ACTION_SECRET"])
@pytest.mark.parametrize("value", ["s3cret-Backline-42", "x7" * 15])
def test_a_short_secret_is_refused_naming_the_setting_and_the_fix(name, value):
    read = {"BACKLINE_WEB_SECRET": settings.web_secret, "BACKLINE_ACTION_SECRET": settings.action_secret,
            "BACKLINE_API_TOKEN": settings.api, "BACKLINE_JWT_SECRET": settings.api}[name]
    with pytest.raises(settings.ConfigError) as error:
        read({name: value})
    assert error.value.setting == name and "at least 32" in str(error.value) and "openssl rand" in str(error.value)
    assert value not in str(error.value), "a secret is never echoed"


def test_preflight_refuses_a_short_web_secret(monkeypatch, tmp_path):
    from ops import preflight

    for name in list(os.environ):
        if name.startswith("BACKLINE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKLINE_WEB_SECRET", "short-but-not-a-placeholder")
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "c.db"))
    problems, _, _ = preflight.check(None)
    assert any(p.startswith("BACKLINE_WEB_SECRET: is 27 characters long") for p in problems), problems
