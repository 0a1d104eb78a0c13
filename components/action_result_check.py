"""The check of the action server's response, with validators built once and each event checked against its own
type's schema only (issue 13).

Rasa 3.6 calls `jsonschema.validate(result, RemoteAction.action_response_format_spec())` on every custom action
call. That call checks the schema itself against the JSON-Schema meta-schema each time: about 12 ms of the
Rasa server's CPU per call, 2-3 calls per turn (py-spy, `make bench`; bench/results.md). The validator is
built once here (not a switch: the same schema, errors and message).

"action_result_check": with the validator built once, checking the events was still about 6% of the Rasa
server's CPU (py-spy): each event is an item of `events` whose schema is a base (an object with a string
`event`, required, and `timestamp`/`metadata`) and a `oneOf` of some 20 branches, one per event type, so every
event was checked against every branch. Every branch in Rasa's schema pins `event` with a `const` (checked
when the validators are built: if one did not, the full check is used), and the base requires `event`, so a
branch whose const is not the event's name always fails. An event therefore matches the `oneOf` exactly when
its own type's branch accepts it (an event name no branch has matches none). So the response is checked against
the schema with the items' `oneOf` removed (the base is kept), and then each event against its type's branch
only. Only "valid" is decided this way: a response found invalid is checked again with the full schema, which
raises the error Rasa's check would (same error, same message). Switched off, every response gets the full
check. tests/components/test_action_result_check.py compares the verdicts with the full schema's.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Text

from rasa.core.actions.action import RemoteAction

from ops.settings import speedup

_RASA_VALIDATE = RemoteAction._validate_action_result  # Rasa's check: the schema checked again on every call
HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint is "
    "valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


class _Validators:
    """The full schema's validator, and (when every branch is picked by its event's name) the split ones."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)
        self.full = cls(schema)
        self.rest = None
        self.by_event: Optional[Dict[Text, Any]] = None
        rest = copy.deepcopy(schema)
        items = rest.get("properties", {}).get("events", {}).get("items", {})
        branches = items.pop("oneOf", None)
        by_name: Dict[Text, list] = {}
        for branch in branches or []:
            name = branch.get("properties", {}).get("event", {}).get("const")
            if not isinstance(name, str):
                return  # a branch not picked by the event's name: the full check only
            by_name.setdefault(name, []).append(cls(branch))
        if not branches or "event" not in items.get("required", []) or \
                items.get("properties", {}).get("event", {}).get("type") != "string":
            return
        self.rest = cls(rest)
        self.by_event = by_name

    def is_valid(self, result: Any) -> bool:
        """The full schema's verdict, from the base schema and each event's own branch."""
        if self.by_event is None:
            return self.full.is_valid(result)
        if not self.rest.is_valid(result):
            return False
        events = result.get("events") if isinstance(result, dict) else None
        for event in events if isinstance(events, list) else ():
            # The base schema held: an object with a string `event`. oneOf: exactly one branch accepts it.
            branches = self.by_event.get(event["event"], ())
            if sum(branch.is_valid(event) for branch in branches) != 1:
                return False
        return True


_VALIDATORS: Optional[_Validators] = None


def validators() -> _Validators:
    global _VALIDATORS
    if _VALIDATORS is None:
        _VALIDATORS = _Validators(RemoteAction.action_response_format_spec())
    return _VALIDATORS


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result: True, or Rasa's ValidationError with Rasa's message."""
    from jsonschema import ValidationError

    checks = validators()
    if speedup("action_result_check") and checks.is_valid(result):
        return True
    try:
        checks.full.validate(result)
        return True
    except ValidationError as error:
        error.message += HINT
        raise error
