"""Conversation identity, failure reports and rate limits, without a server: the REST sender rules, the
Slack/Telegram namespaces, the web widget's signed ids, what a failed save or deletion tells the
caregiver, and the open-API refusal. (The same against the real servers: test_privacy_e2e.py.)"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from channels import DELETE_FAILED_TEXTS, SAVE_FAILED_TEXT, bare, guarded, namespaced
from channels.rate_limit import RateLimiter
from channels.rest import BodyError, check_sender
from channels.socketio import issue_session, sign, verified_session
from channels.telegram import TelegramOutputAt
from ops import settings
from ops.store_guard import DELETE_FAILED, SAVE_FAILED, record_failure, take_failure

CASES = yaml.safe_load((Path(__file__).parent / "identity.yml").read_text())


@pytest.mark.parametrize("sender", CASES["accepted"])
def test_plain_rest_senders_are_accepted(sender):
    assert check_sender(sender) == str(sender)


@pytest.mark.parametrize("case", CASES["refused"], ids=[c["why"] for c in CASES["refused"]])
def test_other_rest_senders_get_400_with_a_reason(case):
    with pytest.raises(BodyError) as error:
        check_sender(case["sender"])
    assert error.value.status == 400 and "sender" in error.value.error


def test_rest_sender_length_is_bounded():
    longest = CASES["long_ids"]["longest_accepted"]
    assert check_sender("a" * longest)
    with pytest.raises(BodyError):
        check_sender("a" * (longest + 1))


def test_platform_ids_are_namespaced_and_bounded():
    assert namespaced("slack:", "U024BE7LH") == "slack:U024BE7LH"
    assert namespaced("telegram:", -100123) == "telegram:-100123"
    assert namespaced("slack:", "") is None and namespaced("slack:", "U" * 200) is None
    assert bare("telegram:", "telegram:42") == "42" and bare("telegram:", "42") == "42"


class Recorder(OutputChannel):
    def __init__(self) -> None:
        self.sent: List[tuple] = []

    async def send_text_message(self, recipient_id, text, **kwargs) -> None:
        self.sent.append((recipient_id, text))


def run_turn(message: UserMessage, prefix=None, failure=None) -> List[str]:
    seen = []

    async def rasa(msg: UserMessage):
        seen.append(msg.sender_id)
        await msg.output_channel.send_text_message(msg.sender_id, "Done: I've deleted this conversation.")
        if failure:
            record_failure(msg.sender_id, failure)

    asyncio.run(guarded(rasa, prefix)(message))
    return seen


def test_a_slack_user_gets_the_slack_namespace():
    out = Recorder()
    assert run_turn(UserMessage("hi", out, "U024BE7LH"), prefix="slack:") == ["slack:U024BE7LH"]


def test_a_failed_deletion_takes_back_the_done_on_rest():
    out = CollectingOutputChannel()
    run_turn(UserMessage("/affirm", out, "rest-del-1"), failure=DELETE_FAILED)
    assert [m["text"] for m in out.messages] == [DELETE_FAILED_TEXTS[DELETE_FAILED]]
    assert take_failure("rest-del-1") is None, "reported once"


def test_a_failed_deletion_is_corrected_on_a_live_channel():
    out = Recorder()
    run_turn(UserMessage("/affirm", out, "live-del-1"), failure=DELETE_FAILED)
    assert out.sent[-1] == ("live-del-1", DELETE_FAILED_TEXTS[DELETE_FAILED])


def test_a_failed_save_is_said_after_the_reply():
    out = CollectingOutputChannel()
    run_turn(UserMessage("hi", out, "rest-save-1"), failure=SAVE_FAILED)
    assert [m["text"] for m in out.messages][-1] == SAVE_FAILED_TEXT and len(out.messages) == 2


def test_a_turn_without_failure_is_untouched():
    out = CollectingOutputChannel()
    run_turn(UserMessage("hi", out, "rest-ok-1"))
    assert len(out.messages) == 1


def test_telegram_replies_go_to_the_bare_chat_id():
    sent = []

    class Bot(TelegramOutputAt):
        async def send_message(self, chat_id, text, **kwargs):
            sent.append(chat_id)

    async def go():
        bot = Bot("123456:TEST", "http://127.0.0.1:9")
        await bot.send_response("telegram:42", {"text": "hello"})
        await bot.send_text_message("telegram:43", "hello")
        await bot.session.close()

    asyncio.run(go())
    assert sent == ["42", "43"]


def test_web_ids_are_signed_and_a_forged_or_foreign_id_is_refused():
    key, other = b"k" * 32, b"o" * 32
    token = issue_session(key)
    session = verified_session(key, token)
    assert session and token.startswith(session) and len(session) == 32
    assert verified_session(other, token) is None, "another server's key"
    assert verified_session(key, session) is None, "the bare id without its signature"
    assert verified_session(key, "web:" + session) is None
    forged = session[:-1] + ("0" if session[-1] != "0" else "1") + token[len(session):]
    assert verified_session(key, forged) is None
    for junk in (None, 42, "", "a.b.c", {"session_id": token}):
        assert verified_session(key, junk) is None
    assert issue_session(key) != token


def test_the_rate_limit_counts_per_client_and_forgets_after_the_window():
    limiter = RateLimiter(3, 60, limit_loopback=False)
    assert [limiter.allow("203.0.113.7", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("198.51.100.1", now=3), "another client has its own count"
    assert limiter.retry_after("203.0.113.7", now=3) == 57
    assert limiter.allow("203.0.113.7", now=61)
    assert all(limiter.allow("127.0.0.1", now=5) for _ in range(10)), "loopback is exempt by default"
    strict = RateLimiter(3, 60, limit_loopback=True)
    assert [strict.allow("127.0.0.1", now=5) for _ in range(4)] == [True, True, True, False]


@pytest.mark.parametrize("value", CASES["placeholders"])
def test_placeholder_tokens_are_refused(value):
    with pytest.raises(settings.ConfigError) as error:
        settings.api({"BACKLINE_API_TOKEN": value, "BACKLINE_ENABLE_API": "1"})
    assert error.value.setting in ("BACKLINE_API_TOKEN", "BACKLINE_ENABLE_API")


@pytest.mark.parametrize("value", CASES["real_secrets"])
def test_real_tokens_turn_the_api_on(value):
    api = settings.api({"BACKLINE_API_TOKEN": value})
    assert api.enabled and api.rasa_args() == ["--enable-api", "--auth-token", value]


@pytest.mark.parametrize("off", ["0", "false", "FALSE", "No", "OFF"])
def test_the_api_flag_is_read_in_any_case(off):
    api = settings.api({"BACKLINE_API_TOKEN": CASES["real_secrets"][0], "BACKLINE_ENABLE_API": off})
    assert not api.enabled and api.rasa_args() == []


def test_a_malformed_api_flag_is_named():
    with pytest.raises(settings.ConfigError) as error:
        settings.api({"BACKLINE_ENABLE_API": "maybe"})
    assert error.value.setting == "BACKLINE_ENABLE_API"


@pytest.mark.parametrize("argv", CASES["rasa_command_lines"]["open"])
def test_an_open_api_is_refused(argv):
    problem = settings.open_api_problem(argv)
    assert problem is not None and problem.hint, "refused, saying what to do instead"


@pytest.mark.parametrize("argv", CASES["rasa_command_lines"]["allowed"])
def test_loopback_or_a_token_is_allowed(argv):
    assert settings.open_api_problem(argv) is None


def test_rasa_args_come_from_the_settings():
    token = CASES["real_secrets"][0]
    env = {"BACKLINE_API_TOKEN": token, "BACKLINE_CORS": "https://chat.example.org"}
    assert settings.rasa_args("0.0.0.0", env) == ["-i", "0.0.0.0", "--enable-api", "--auth-token", token,
                                                  "--cors", "https://chat.example.org"]
    assert settings.rasa_args("127.0.0.1", {}) == ["-i", "127.0.0.1"]
    with pytest.raises(settings.ConfigError):
        settings.cors({"BACKLINE_CORS": "not an origin"})


def test_timeouts_and_limits_have_typed_defaults():
    assert settings.action_timeout({}) == 10.0 and settings.action_timeout({"BACKLINE_ACTION_TIMEOUT": "2.5"}) == 2.5
    assert settings.store_timeout({}) == 3.0
    assert settings.rate_limit({}) == (30, 60.0) and settings.rate_limit({"BACKLINE_RATE_LIMIT": "off"}) is None
    assert settings.rate_limit({"BACKLINE_RATE_LIMIT": "5/10"}) == (5, 10.0)
    for name, bad in (("BACKLINE_ACTION_TIMEOUT", "soon"), ("BACKLINE_ACTION_TIMEOUT", "0"),
                      ("BACKLINE_RATE_LIMIT", "lots"), ("BACKLINE_RATE_LIMIT", "0/10")):
        with pytest.raises(settings.ConfigError) as error:
            (settings.action_timeout if "TIMEOUT" in name else settings.rate_limit)({name: bad})
        assert error.value.setting == name


def test_the_environment_preamble_is_one_file():
    env = settings.process_environment(Path("/somewhere"))
    assert env == {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": "/somewhere"}


def test_web_ids_expire_after_the_session_lifetime():
    """Issue 23: a web id used to open its conversation for ever; now BACKLINE_WEB_SESSION_DAYS after it was issued
    (default 30, as retention) it is refused and the browser gets a fresh conversation."""
    key = b"k" * 32
    token = issue_session(key, now=1_000_000.0, lifetime=3600)
    session = verified_session(key, token, now=1_000_000.0 + 3599)
    assert session and token.startswith(session)
    assert verified_session(key, token, now=1_000_000.0 + 3600) is None, "expired"
    parts = token.split(".")
    stretched = ".".join([parts[0], str(int(parts[1]) + 10 ** 6), *parts[2:]])
    assert verified_session(key, stretched, now=1_000_000.0 + 3601) is None, "the expiry is signed"
    legacy = f"{session}.{sign(key, session)}"  # an id issued before ids expired: it never would
    assert verified_session(key, legacy, now=1_000_000.0) is None


def test_a_web_id_lives_thirty_days_unless_configured(monkeypatch):
    monkeypatch.delenv("BACKLINE_WEB_SESSION_DAYS", raising=False)
    now = 2_000_000.0
    token = issue_session(b"k" * 32, now=now)
    assert verified_session(b"k" * 32, token, now=now + 30 * 86400 - 1)
    assert verified_session(b"k" * 32, token, now=now + 30 * 86400) is None
    monkeypatch.setenv("BACKLINE_WEB_SESSION_DAYS", "1")
    assert verified_session(b"k" * 32, issue_session(b"k" * 32, now=now), now=now + 86400) is None
    for bad in ("0", "soon", "400"):
        monkeypatch.setenv("BACKLINE_WEB_SESSION_DAYS", bad)
        with pytest.raises(settings.ConfigError) as error:
            issue_session(b"k" * 32)
        assert error.value.setting == "BACKLINE_WEB_SESSION_DAYS"
