"""Every name of Rasa that the Rasa server replaces at run time, why, and for which Rasa release.

Rasa 3.6 has extension points for some of the speed-ups (issue 13), and those are named in the configuration a
Rasa user reads, not here:

- config.yml, policies: `components.rule_lookup.BacklineRulePolicy` in RulePolicy's place ("rule_lookup",
  "lazy_state_log", "rule_window");
- endpoints.yml, tracker_store: `ops.stores.BacklineTrackerStore`, Rasa's SQLTrackerStore with the tracker cache
  (ops/tracker_cache.py, "tracker_cache"), a save of the new events only ("new_events_only") and SQLite's WAL
  mode ("sqlite_wal");
- ops/gc_freeze.py ("gc_freeze") is Python's own `gc.freeze()`, not a change to Rasa.

The rest has none: the tracker class, the model graph's runner and the custom-action call are fixed inside
Rasa's processor and agent. PATCHES below lists each name replaced, its replacement and the reason; RemoteAction.run
also gets the layers config.yml gives this module's pipeline component (the local actions and the safety net:
they run the clinical core, which this room does not import). Nothing else of Rasa is replaced anywhere in the
project (tests/components/test_rasa_patches.py checks that no other module assigns to a Rasa class).

The replacements are written against the private code of one Rasa release, WRITTEN_FOR (the pin in
requirements/rasa.txt; a test holds the two equal). On any other version `install()` replaces nothing but the
safety net's layer, and says so once in a warning: the server then runs Rasa's own code, slower but as Rasa
wrote it. `uninstall()` puts Rasa's own functions back (tests/conftest.py does after every test).

Each speed-up can also be switched off alone with BACKLINE_SPEEDUPS_OFF (ops.settings.speedup), read per call.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from components import (
    action_result_check,
    action_transport,
    graph_runner,
    incremental_states,
    incremental_tracker,
    reading_off_loop,
)

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"  # requirements/rasa.txt pins it; the replacements copy steps of this release's code


@dataclass(frozen=True)
class Patch:
    owner: type
    name: Text
    replacement: Callable
    speedups: Tuple[Text, ...]  # the switches (ops.settings.SPEEDUPS) that send a call back to Rasa's own code
    reason: Text


PATCHES: Tuple[Patch, ...] = (
    Patch(DialogueStateTracker, "past_states", incremental_states.past_states, ("incremental_states",),
          "replays every event of the session into a new tracker on every prediction; resumed from the last call"),
    Patch(DialogueStateTracker, "applied_events", incremental_tracker.applied_events, ("applied_events",),
          "rebuilt from the first event five to seven times a turn; extended by the new events"),
    Patch(DialogueStateTracker, "copy", incremental_tracker.copy_tracker, ("copy_without_replay",),
          "replays every event before each action; the state the events made, taken as it is"),
    Patch(DaskGraphRunner, "run", graph_runner.run, ("graph_runner",),
          "builds and schedules a dask graph on every parse and prediction; the same nodes in a fixed order"),
    Patch(RemoteAction, "_validate_action_result", action_result_check.validate_action_result,
          ("action_result_check",),
          "checks the JSON schema itself and every event against every branch on each call; built once"),
    Patch(MessageProcessor, "parse_message", reading_off_loop.parse_message, (),
          "runs the NLU graph (the clinical reader among it) on the event loop, so a long message held up every "
          "other conversation; the same call in a reading thread (not a speed-up: no switch; issue 23)"),
    Patch(RemoteAction, "run", action_transport.run, ("action_payload", "keep_alive"),
          "sends the whole conversation and domain over a new connection per call; the turn's events, one "
          "kept connection (then config.yml's layers: local actions, the safety net)"),
)

# Rasa's own attributes, as the classes held them when this module was first imported.
ORIGINALS: Dict[Tuple[type, Text], Any] = {(p.owner, p.name): p.owner.__dict__[p.name] for p in PATCHES}
_warned = False


def rasa_version() -> Text:
    return rasa.__version__


def uninstall() -> None:
    """Puts back Rasa's own attribute for every name in PATCHES."""
    for (owner, name), original in ORIGINALS.items():
        setattr(owner, name, original)


def install(action_layers: Sequence[Callable] = (), version: Optional[Text] = None) -> bool:
    """Replaces the names in PATCHES (from Rasa's own, so calling it again is safe) and wraps RemoteAction.run in
    `action_layers`, innermost first. On a Rasa version other than WRITTEN_FOR only the layers that are not
    speed-ups are installed, over Rasa's own run, with one warning. Returns whether the speed-ups are in."""
    global _warned
    uninstall()
    version = version or rasa_version()
    matches = version == WRITTEN_FOR
    if matches:
        for patch in PATCHES:
            setattr(patch.owner, patch.name, patch.replacement)
    elif not _warned:
        _warned = True
        logger.warning(
            f"Rasa {version} is installed, but Backline's speed-ups were written for Rasa {WRITTEN_FOR} "
            f"(requirements/rasa.txt). They are off: this server runs Rasa's own code, which is correct but slower "
            f"as conversations grow. Install rasa=={WRITTEN_FOR}, or check components/rasa_patches.py against the "
            f"new release and update WRITTEN_FOR.")
    run = RemoteAction.run
    for layer in action_layers:
        if matches or getattr(layer, "speedup", None) is None:
            run = layer(run)
    RemoteAction.run = run  # type: ignore[method-assign]
    return matches


def installed() -> List[Text]:
    """`Owner.name` of each name in PATCHES that is not Rasa's own at the moment (tests, start-up log)."""
    return [f"{owner.__name__}.{name}" for (owner, name), original in ORIGINALS.items()
            if owner.__dict__[name] is not original]


def load_layer(path: Text) -> Callable:
    """A layer named in config.yml (`module.function`), loaded as Rasa loads a component named by its path."""
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ValueError(f"config.yml, RasaPatches action_layers: cannot load '{path}' ({error}).") from None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RasaPatches(GraphComponent):
    """Installs PATCHES when a Rasa server loads the model, before the first message; passes messages on untouched.

    A pipeline component because that is where Rasa 3.6 runs a project's code when a model is loaded (`rasa run`,
    `rasa shell`; `rasa train` does not create it)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"action_layers": []}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RasaPatches":
        layers = [load_layer(path) for path in config.get("action_layers") or []]
        if install(layers):
            logger.info(f"Rasa {WRITTEN_FOR}: replaced {', '.join(installed())} (components/rasa_patches.py).")
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        return messages

