"""The action floor's one custom action (`rasa run actions --actions bench.action_floor.actions`): a stock
rasa_sdk action that answers every message with one fixed text, so a turn costs the framework's path to the
action server and back, and nothing else."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionReply(Action):
    def name(self) -> str:
        return "action_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text="OK.")
        return []
