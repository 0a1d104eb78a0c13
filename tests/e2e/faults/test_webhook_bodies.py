"""Malformed and oversized REST bodies get a 4xx with a reason, never a 500 or a silent `200 []`, and the
server keeps answering (channels/rest.py)."""
from __future__ import annotations

import json

import pytest
import requests

from .conftest import new_sender

BAD = [
    ("a JSON list", b'[{"sender": "x", "message": "hi"}]', 400),
    ("a JSON string", b'"hi"', 400),
    ("not JSON", b'{"sender": "x", "message": ', 400),
    ("empty body", b"", 400),
    ("no message", b'{"sender": "x"}', 400),
    ("message null", b'{"sender": "x", "message": null}', 400),
    ("message a number", b'{"sender": "x", "message": 42}', 400),
    ("message a list", b'{"sender": "x", "message": ["hi"]}', 400),
    ("sender an object", b'{"sender": {"a": 1}, "message": "hi"}', 400),
    ("metadata a list", b'{"sender": "x", "message": "hi", "metadata": [1]}', 400),
    ("invalid UTF-8", b'{"sender": "x", "message": "\xff\xfe"}', 400),
    ("2 MB message", json.dumps({"sender": "x", "message": "a" * 2_000_000}).encode(), 413),
    ("30,000-character message", json.dumps({"sender": "x", "message": "back pain " * 3000}).encode(), 413),
]


def _post(stack, data: bytes, **kwargs):
    return requests.post(f"{stack.rasa.url}/webhooks/rest/webhook", data=data, timeout=60,
                         headers={"Content-Type": "application/json"}, **kwargs)


@pytest.mark.parametrize("name,body,status", BAD, ids=[b[0] for b in BAD])
def test_bad_body_gets_a_4xx_with_a_reason(healthy, name, body, status):
    response = _post(healthy, body)
    assert response.status_code == status, response.text[:300]
    assert response.json().get("error")
    assert requests.get(f"{healthy.rasa.url}/", timeout=10).ok, "the server still answers"


def test_a_lying_content_length_is_refused_before_reading(healthy):
    response = _post(healthy, b'{"sender": "x", "message": "hi"}', )
    assert response.status_code == 200
    too_big = requests.post(f"{healthy.rasa.url}/webhooks/rest/webhook", data=b"x" * 70_000, timeout=60)
    assert too_big.status_code == 413


def test_a_10000_character_message_is_answered(healthy):
    message = ("my wife has MS and her lower back aches after sitting all day. " * 200)[:10_000]
    response = _post(healthy, json.dumps({"sender": new_sender("long"), "message": message}).encode())
    assert response.status_code == 200
    assert response.json(), "a reply, not silence"


def test_a_numeric_sender_is_accepted(healthy):
    response = _post(healthy, json.dumps({"sender": 12345, "message": "hi"}).encode())
    assert response.status_code == 200 and response.json()


def test_the_checks_apply_to_the_rest_webhook_only(healthy):
    """Other POST routes (Rasa's HTTP API here) keep their own bodies."""
    response = requests.post(f"{healthy.rasa.url}/model/parse", json={"text": "my wife has MS"}, timeout=60)
    assert response.status_code == 200
    assert response.json()["intent"]["name"]
