"""How the Rasa server calls the action server: a bounded tracker, the domain encoded once, one pooled connection.

Why. Rasa 3.6's RemoteAction sends, on every custom action call (one to three per turn), the whole tracker
(`current_state(EventVerbosity.ALL)`: every event since the session began) and the domain (`domain.as_dict()`,
re-encoded each time), over a new aiohttp session, so a new TCP connection per call. All of it grows with the
conversation or is paid again per call, for nothing the actions read.

What the actions read (actions/actions.py, actions/privacy.py; checked against recorded trackers by
tests/components/test_action_transport_over_rest.py): the slots, the latest message, and events back to the
latest user message (`answered_elsewhere`). rasa_sdk itself reads the tracker's top-level fields
(`Tracker.from_dict`), `get_latest_input_channel` (back to the latest user message) and, for a
FormValidationAction left to its own `run`, `slots_to_validate` (the trailing slot events of this turn) and
the domain's forms and slots. So:

- "action_payload": the tracker goes with every top-level field Rasa sends (slots, latest message, active loop,
  followup action, paused, latest action...), and only the events since the latest user message (all of them
  when there is none yet: a session that has not heard from the caregiver is short). The domain is encoded to
  JSON once per loaded domain and spliced into each body, as Rasa would send it (or not, with its selective
  domain).
- "keep_alive": one aiohttp session per event loop, its connections kept alive between calls, instead of a
  session and a connection per call. A kept connection the action server has just closed (a restart) is
  retried once on a new one: the actions have no side effects on the action server, so a retried call is safe.
  A refused connection is not retried: the action server is down, and the safety net answers.

`run` replaces `RemoteAction.run` (components/rasa_patches.py), inside the safety net's layer, so
BACKLINE_ACTION_TIMEOUT and the fallback answers apply to these calls exactly as to Rasa's own. With both
speed-ups off (ops.settings.speedup) every call takes Rasa's own path. Errors are raised as Rasa raises them
(ActionExecutionRejection on a 400, RasaException otherwise), so the safety net sees no difference.
"""
from __future__ import annotations

import asyncio
import atexit
import json
import logging
import ssl
from typing import Any, Dict, List, Optional, Text, cast

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.constants import COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST
from rasa.plugin import plugin_manager
from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.utils.common import get_bool_env_variable
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from ops.settings import action_timeout, speedup

logger = logging.getLogger(__name__)

# Below Sanic's keep-alive timeout on the action server (5 s), so the client drops an idle connection first.
IDLE_SECONDS = 4.0

_RASA_RUN = RemoteAction.run


def window(tracker) -> List[Event]:
    """The events since the latest user message, that message included (all events when there is none)."""
    found: List[Event] = []
    for event in reversed(tracker.events):
        found.append(event)
        if isinstance(event, UserUttered):
            break
    found.reverse()
    return found


def bounded_state(tracker) -> Dict[Text, Any]:
    """Rasa's tracker state for the action server, with only the window's events."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in window(tracker)]
    return state


class _DomainJson:
    """The JSON of the loaded domain, encoded once per Domain object (a new model brings a new one)."""

    def __init__(self) -> None:
        self.domain: Any = None
        self.text = ""

    def of(self, domain) -> Text:
        if self.domain is not domain:
            self.text = json.dumps(domain.as_dict())
            self.domain = domain
        return self.text


DOMAIN_JSON = _DomainJson()


def call_body(action: RemoteAction, tracker, domain) -> bytes:
    """The request body Rasa would send, with the tracker bounded and the domain's JSON spliced in."""
    if not speedup("action_payload"):
        return json.dumps(action._action_call_format(tracker, domain)).encode()
    call = {"next_action": action.name(), "sender_id": tracker.sender_id, "tracker": bounded_state(tracker),
            "version": RASA_VERSION}
    text = json.dumps(call)
    if not action._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(action.name()):
        text = f'{text[:-1]}, "domain": {DOMAIN_JSON.of(domain)}}}'
    return text.encode()


def _rasa_version() -> Text:
    import rasa

    return rasa.__version__


RASA_VERSION = _rasa_version()


# One client session per event loop (tests and `rasa shell` may run several loops in one process). Kept until
# the process ends, when their connections are closed (a session dropped open is logged as an error).
_SESSIONS: Dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
_SSL: Dict[Text, ssl.SSLContext] = {}


def pooled_session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _SESSIONS.get(loop)
    if session is None or session.closed:
        if not _SESSIONS:
            atexit.register(_close_at_exit)
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS))
        _SESSIONS[loop] = session
    return session


async def close_sessions() -> None:
    """Closes this loop's pooled session (tests)."""
    session = _SESSIONS.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


def _close_at_exit() -> None:
    # No loop may be running any more: the connector's synchronous close shuts the sockets.
    for session in _SESSIONS.values():
        if not session.closed and session.connector is not None:
            session.connector._close()
    _SESSIONS.clear()


def _ssl_context(endpoint: EndpointConfig) -> Optional[ssl.SSLContext]:
    if not endpoint.cafile:
        return None
    if endpoint.cafile not in _SSL:
        try:
            _SSL[endpoint.cafile] = ssl.create_default_context(cafile=endpoint.cafile)
        except FileNotFoundError as error:
            from rasa.shared.exceptions import FileNotFoundException

            raise FileNotFoundException(
                f"Failed to find certificate file, '{endpoint.cafile}' does not exist.") from error
    return _SSL[endpoint.cafile]


def _stale(error: Exception) -> bool:
    """A kept connection that broke before any answer (not a refused one: that server is down)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return False
    return isinstance(error, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError))


async def post_pooled(endpoint: EndpointConfig, body: bytes, compress: bool) -> Any:
    """What `EndpointConfig.request(method="post", ...)` does, over the pooled session."""
    headers = {"Content-Type": "application/json", **(endpoint.headers or {})}
    auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"]) \
        if endpoint.basic_auth else None
    options = dict(headers=headers, auth=auth, params=endpoint.combine_parameters(), compress=compress,
                   ssl=_ssl_context(endpoint), timeout=aiohttp.ClientTimeout(total=action_timeout()))
    for attempt in (1, 2):
        try:
            async with pooled_session().post(concat_url(endpoint.url, None), data=body, **options) as response:
                if response.status >= 400:
                    raise ClientResponseError(response.status, response.reason, await response.content.read())
                try:
                    return await response.json()
                except aiohttp.ContentTypeError:
                    return None
        except aiohttp.ClientError as error:
            if attempt == 2 or not _stale(error):
                raise
            logger.debug("A kept connection to the action server was closed (%r); calling again.", error)


async def run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
    """RemoteAction.run with the bounded body and the pooled connection (Rasa's own when both are off)."""
    pooled = speedup("keep_alive")
    if not self.action_endpoint or not (pooled or speedup("action_payload")) or _plugins_rewrite_calls():
        return await _RASA_RUN(self, output_channel, nlg, tracker, domain)
    body = call_body(self, tracker, domain)
    compress = get_bool_env_variable(COMPRESS_ACTION_SERVER_REQUEST_ENV_NAME, DEFAULT_COMPRESS_ACTION_SERVER_REQUEST)
    try:
        if pooled:
            response = await post_pooled(self.action_endpoint, body, compress)
        else:
            from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

            response = await self.action_endpoint.request(method="post", data=body, timeout=DEFAULT_REQUEST_TIMEOUT,
                                                          compress=compress)
        self._validate_action_result(response)
        bot_messages = await self._utter_responses(response.get("responses", []), output_channel, nlg, tracker)
        return cast(List[Event], bot_messages) + rasa_events.deserialise_events(response.get("events", []))
    except ClientResponseError as error:
        # As Rasa: a 400 is the action server's "form rejected", anything else a failed call.
        if error.status == 400:
            data = json.loads(error.text)
            rejection = ActionExecutionRejection(data["action_name"], data.get("error"))
            logger.error(rejection.message)
            raise rejection from error
        raise RasaException(f"Failed to execute custom action '{self.name()}'") from error
    except aiohttp.ClientConnectionError as error:
        logger.error("Failed to run custom action '%s'. Couldn't connect to the server at '%s'. Error: %s",
                     self.name(), self.action_endpoint.url, error)
        raise RasaException(
            f"Failed to execute custom action '{self.name()}'. Couldn't connect to the server.") from error
    except aiohttp.ClientError as error:
        raise RasaException(f"Failed to run custom action '{self.name()}'. Action server responded with a "
                            f"non 200 status code of {getattr(error, 'status', None)}. Error: {error}") from error


def _plugins_rewrite_calls() -> bool:
    """Rasa Pro's plugins may rename actions in the body; then Rasa's own path does it."""
    return bool(plugin_manager().hook.prefix_stripping_for_custom_actions.get_hookimpls())
