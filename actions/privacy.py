"""'Delete my conversation': the action that marks the turn for deletion.

The deletion itself happens in the tracker store (ops/stores.py, BacklineTrackerStore.save): Rasa saves
the whole tracker at the end of every turn, so rows deleted here would be written back. When the store
sees that this turn ran `action_delete_conversation`, it deletes every stored event of the conversation
instead of saving it. The confirmation message (utter_conversation_deleted) is still sent.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher

DELETE_ACTION = "action_delete_conversation"


class ActionDeleteConversation(Action):
    """Forgets the conversation in this turn; the tracker store deletes what was stored."""

    def name(self) -> Text:
        return DELETE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # Clearing the slots makes the rest of this turn (and any store that cannot delete, such as the
        # in-memory one used by some tests) forget the details too.
        return [AllSlotsReset()]
