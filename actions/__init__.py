"""Backline's custom actions (rasa-sdk): a thin layer between Rasa's tracker and the clinical core in bot/.

Importing the package also makes the action server answer only the Rasa server (ops/action_guard.py):
rasa_sdk's `run` (what `rasa run actions` starts) imports the actions and then calls the plugin hook
registered here, which adds the credential check to its Sanic app before it serves anything.
"""
import pluggy
from rasa_sdk.plugin import plugin_manager

from ops import action_guard, log_privacy

log_privacy.install()  # the action server's log lines (rasa_sdk, sanic) carry no message text either

PLUGIN_NAME = "backline-action-guard"
hookimpl = pluggy.HookimplMarker("rasa_sdk")


class OnlyTheRasaServer:
    """rasa_sdk plugin: the action server's app refuses every call without the Rasa server's credential."""

    @hookimpl
    def attach_sanic_app_extensions(self, app) -> None:
        action_guard.protect(app)


def _register() -> None:
    manager = plugin_manager()
    if manager.get_plugin(PLUGIN_NAME) is None:  # once, even when --auto-reload imports the package again
        manager.register(OnlyTheRasaServer(), name=PLUGIN_NAME)


_register()
