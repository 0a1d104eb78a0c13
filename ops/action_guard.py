"""The action server serves only the Rasa server: every call carries the Rasa server's credential.

Why. The actions act for whatever conversation id the posted tracker names: one uncredentialed POST to
the action server's /webhook with `sender_id: "telegram:<id>"` read that caregiver's diary (with its
emergency signs), got a diary link signed with the real key, forged a diary entry or deleted the diary.
So the action server refuses (401) every request without the credential, except `GET /health` (which
says only {"status": "ok"}, for probes), and the Rasa server sends it on every action call:

- the credential is ops.settings.action_secret(): BACKLINE_ACTION_SECRET, else a random key kept in
  var/action-server.secret (0600), which `rasa run actions` and `rasa run` started from the same checkout
  both read, so they work together with nothing set; in containers both get BACKLINE_ACTION_SECRET;
- it travels in the HEADER below (never in the URL, so never in an access log), compared in constant time;
- the action server side: `protect(app)` adds a Sanic request middleware; actions/__init__.py registers it
  with rasa_sdk's plugin hook, which `rasa run actions` (rasa_sdk.endpoint.run) calls before serving;
- the Rasa server side: `attach(endpoint)` adds the header to the action endpoint's headers, which both
  Backline's pooled transport and Rasa's own request send (components/action_transport.py calls it).

The actions themselves act only for `tracker.sender_id`, the conversation the Rasa server sent
(actions/diary.py, actions/privacy.py); nothing in a slot or a message names another.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Optional

from ops import settings

logger = logging.getLogger(__name__)

HEADER = "X-Backline-Action-Key"
OPEN_PATHS = ("/health", "/health/")  # GET only: liveness and readiness probes
REFUSED_TEXT = ("This is Backline's action server: it answers only the Rasa server, whose calls carry "
                f"the {HEADER} header (BACKLINE_ACTION_SECRET, docs/operations.md).")


def credential() -> str:
    return settings.action_secret().decode()


def allowed(method: str, path: str, given: Optional[str], key: bytes) -> bool:
    """Whether a request to the action server may go on: a probe of /health, or one carrying `key`."""
    if method in ("GET", "HEAD") and path in OPEN_PATHS:
        return True
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), key)


def protect(app: Any, key: Optional[bytes] = None) -> None:
    """Makes the Sanic app `app` (the action server) refuse every request without the credential."""
    from sanic import response

    key = settings.action_secret() if key is None else key

    @app.middleware("request")
    async def only_the_rasa_server(request):
        if allowed(request.method, request.path, request.headers.get(HEADER), key):
            return None
        logger.warning("The action server refused a call without the Rasa server's credential (%s %s).",
                       request.method, request.path)
        return response.json({"error": REFUSED_TEXT}, status=401)

    logger.info("The action server answers only calls carrying the Rasa server's credential (%s).", HEADER)


def attach(endpoint: Any) -> None:
    """Adds the credential to the Rasa server's action endpoint (an EndpointConfig), once."""
    if endpoint is None:
        return
    headers = endpoint.headers
    if headers is None:
        headers = endpoint.headers = {}
    if HEADER not in headers:
        headers[HEADER] = credential()
