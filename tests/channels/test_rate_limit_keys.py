"""The rate limit is keyed on the real client (issue 23): socket.io by its transport's address, REST and
socket.io behind a trusted proxy by the address the proxy forwards, and X-Forwarded-For from anyone else
ignored. Against the real servers with a small limit that applies to loopback too, the test process posing
as a proxy on 127.0.0.1 (BACKLINE_TRUSTED_PROXIES)."""
from __future__ import annotations

import uuid

import pytest
import requests
from sanic.compat import Header

from channels.rate_limit import TOO_MANY_TEXT, client_address
from harness.servers import running_backline, trained_model_dir
from harness.stores import STORES
from tests.channels.socket_client import Browser

LIMIT = 3


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    env = {"BACKLINE_RATE_LIMIT": f"{LIMIT}/600", "BACKLINE_RATE_LIMIT_LOOPBACK": "1",
           "BACKLINE_TRUSTED_PROXIES": "127.0.0.1"}
    with running_backline(tmp_path_factory.mktemp("limited"), model=trained_model_dir(), env=env,
                          endpoints_extra=STORES) as rasa:
        yield rasa


def forwarded_for(address: str) -> dict:
    return {"X-Forwarded-For": f"198.51.100.99, {address}"}  # the client wrote the first; the proxy added the last


def rest_statuses(server, address: str, count: int) -> list:
    sender = f"limit-{uuid.uuid4().hex[:8]}"
    return [requests.post(f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": "hello"},
                          headers=forwarded_for(address), timeout=60).status_code for _ in range(count)]


@pytest.mark.e2e
def test_rest_clients_behind_a_trusted_proxy_have_their_own_limits(limited):
    assert rest_statuses(limited, "203.0.113.5", LIMIT + 1) == [200] * LIMIT + [429]
    assert rest_statuses(limited, "203.0.113.6", 1) == [200], "another client behind the same proxy"


@pytest.mark.e2e
def test_web_clients_are_limited_by_their_own_address(limited):
    first = Browser(limited.url, headers=forwarded_for("203.0.113.7"))
    second = Browser(limited.url, headers=forwarded_for("203.0.113.8"))
    try:
        first.start()
        second.start()
        for _ in range(LIMIT):
            assert TOO_MANY_TEXT not in first.say("hello", timeout=30)
        assert first.say("hello", timeout=30) == [TOO_MANY_TEXT]
        assert TOO_MANY_TEXT not in second.say("hello", timeout=30), "another web client has its own count"
    finally:
        first.close()
        second.close()


class Request:
    def __init__(self, ip: str, forwarded: list = ()) -> None:
        self.ip = ip
        self.headers = Header([("X-Forwarded-For", value) for value in forwarded])


def test_forwarded_addresses_are_believed_only_from_trusted_proxies():
    import ipaddress

    proxies = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))
    assert client_address(Request("203.0.113.1", ["198.51.100.2"]), proxies) == "203.0.113.1", "not a proxy"
    assert client_address(Request("203.0.113.1", ["198.51.100.2"]), ()) == "203.0.113.1", "no proxy configured"
    assert client_address(Request("10.1.2.3", ["198.51.100.2"]), proxies) == "198.51.100.2"
    # The client may write anything first; the address the nearest untrusted hop saw is the one added last.
    assert client_address(Request("10.1.2.3", ["1.2.3.4, 198.51.100.2, 10.9.9.9"]), proxies) == "198.51.100.2"
    assert client_address(Request("10.1.2.3", ["1.2.3.4", "198.51.100.2"]), proxies) == "198.51.100.2"
    assert client_address(Request("10.1.2.3", ["garbage"]), proxies) == "10.1.2.3"
    assert client_address(Request("10.1.2.3", []), proxies) == "10.1.2.3"
    assert client_address(Request("127.0.0.1", ["2001:db8::1"]), proxies) == "2001:db8::1"


def test_the_trusted_proxies_setting_is_checked():
    from ops import settings

    assert settings.trusted_proxies({}) == ()
    assert len(settings.trusted_proxies({"BACKLINE_TRUSTED_PROXIES": "10.0.0.5, 172.18.0.0/16 ::1"})) == 3
    with pytest.raises(settings.ConfigError) as error:
        settings.trusted_proxies({"BACKLINE_TRUSTED_PROXIES": "nginx"})
    assert error.value.setting == "BACKLINE_TRUSTED_PROXIES"
