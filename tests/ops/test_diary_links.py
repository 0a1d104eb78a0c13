"""Signed diary links (ops/report_links.py): whose diary a link opens, for how long, and what it hides."""
from __future__ import annotations

import base64
import logging

import pytest

from ops import log_privacy, report_links, settings
from tests.diary_env import isolate

NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def key(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path, key="links-test-key-" + "7" * 40)


def token_of(url: str) -> str:
    return url.split("?token=", 1)[1]


def test_a_link_opens_its_own_conversations_file_of_its_own_kind_until_it_expires():
    url = report_links.link("web:4f1c2a", "chart.png", now=NOW)
    assert url.startswith("http://127.0.0.1:5005/webhooks/rest/diary/chart.png?token=")
    token = token_of(url)
    assert report_links.conversation_of(token, "chart.png", now=NOW + 60) == "web:4f1c2a"
    assert report_links.conversation_of(token, "report.pdf", now=NOW + 60) is None  # another kind
    lifetime = settings.link_seconds()
    assert lifetime == 30 * 60
    assert report_links.conversation_of(token, "chart.png", now=NOW + lifetime - 1) == "web:4f1c2a"
    assert report_links.conversation_of(token, "chart.png", now=NOW + lifetime) is None


def test_the_url_does_not_show_the_conversation_id():
    url = report_links.link("rest-caregiver-ann", "report.pdf", now=NOW)
    raw = base64.urlsafe_b64decode(token_of(url) + "==")
    assert "caregiver" not in url and b"caregiver" not in raw
    # Two links to the same file differ (random nonce): a link does not identify the caregiver over time.
    assert token_of(report_links.link("rest-caregiver-ann", "report.pdf", now=NOW)) != token_of(url)


@pytest.mark.parametrize("tamper", ["flip", "truncate", "empty", "junk", "long", "none"])
def test_changed_or_made_up_tokens_name_nobody(tamper):
    token = report_links.make_token("rest-a", "diary.csv", now=NOW)
    changed = {"flip": token[:10] + ("A" if token[10] != "A" else "B") + token[11:], "truncate": token[:-3],
               "empty": "", "junk": "%%%not-base64%%%", "long": "A" * 5000, "none": None}[tamper]
    assert report_links.conversation_of(changed, "diary.csv", now=NOW) is None


def test_another_key_opens_nothing(monkeypatch):
    token = report_links.make_token("rest-a", "chart.png", now=NOW)
    monkeypatch.setenv("BACKLINE_WEB_SECRET", "another-key-" + "3" * 40)
    assert report_links.conversation_of(token, "chart.png", now=NOW) is None


def test_settings_for_links(monkeypatch):
    monkeypatch.setenv("BACKLINE_PUBLIC_URL", "https://chat.example.org/")
    monkeypatch.setenv("BACKLINE_LINK_MINUTES", "5")
    url = report_links.link("rest-a", "chart.png", now=NOW)
    assert url.startswith("https://chat.example.org/webhooks/rest/diary/chart.png?token=")
    assert report_links.conversation_of(token_of(url), "chart.png", now=NOW + 301) is None
    monkeypatch.setenv("BACKLINE_PUBLIC_URL", "chat.example.org")
    with pytest.raises(settings.ConfigError, match="BACKLINE_PUBLIC_URL"):
        settings.public_url()
    for minutes in ("soon", "0", "20000"):
        with pytest.raises(settings.ConfigError, match="BACKLINE_LINK_MINUTES"):
            settings.link_seconds({"BACKLINE_LINK_MINUTES": minutes})
    with pytest.raises(ValueError):
        report_links.make_token("rest-a", "../../etc/passwd", now=NOW)


def test_links_are_found_in_urls_and_text():
    url = report_links.link("rest-a", "report.pdf", now=NOW)
    assert report_links.token_in(url) == ("report.pdf", token_of(url))
    assert report_links.token_in("https://example.org/picture.png") is None
    assert report_links.token_in({"not": "a url"}) is None


def test_the_access_log_never_shows_a_token():
    log_privacy.install()
    record = logging.LogRecord("sanic.access", logging.INFO, __file__, 1, "", None, None)
    record.request = "GET http://127.0.0.1:5005/webhooks/rest/diary/chart.png?token=SECRETTOKEN"
    for log_filter in logging.getLogger("sanic.access").filters:
        log_filter.filter(record)
    assert "SECRETTOKEN" not in record.request and record.request.startswith("GET http://127.0.0.1:5005/webhooks")


def test_links_follow_the_rasa_port_unless_the_public_url_is_set(monkeypatch):
    """`RASA_PORT=5105 make run`: the chart, report and CSV links point at that port (the page's CSP lists
    http://127.0.0.1:PORT, scripts/run.sh); BACKLINE_PUBLIC_URL, when set, wins."""
    monkeypatch.setenv("RASA_PORT", "5105")
    for kind in report_links.KINDS:
        assert report_links.link("web:4f1c2a", kind, now=NOW).startswith(f"http://127.0.0.1:5105/webhooks/rest/diary/{kind}?")
    monkeypatch.setenv("BACKLINE_PUBLIC_URL", "https://chat.example.org")
    assert report_links.link("web:4f1c2a", "chart.png", now=NOW).startswith("https://chat.example.org/webhooks/")


@pytest.mark.parametrize("port", ["http", "0", "70000", "50 05"])
def test_a_wrong_rasa_port_is_named_with_its_fix(port):
    with pytest.raises(settings.ConfigError, match="RASA_PORT") as error:
        settings.public_url({"RASA_PORT": port})
    assert "1 to 65535" in str(error.value)
    assert settings.public_url({"RASA_PORT": port, "BACKLINE_PUBLIC_URL": "http://127.0.0.1:7000"}) == \
        "http://127.0.0.1:7000"  # not needed when the address is given
