"""'Delete my conversation': the action that marks the turn for deletion.

The deletion itself happens in the tracker store (ops/stores.py, BacklineTrackerStore.save): Rasa saves
the whole tracker at the end of every turn, so rows deleted here would be written back. When the store
sees that this turn ran `action_delete_conversation`, it deletes every stored event of the conversation
instead of saving it. The confirmation message (utter_conversation_deleted) is still sent.

The pain diary is deleted twice over: here, by the action server that wrote it (so it goes whatever
tracker store the Rasa server runs), and by the tracker store, in the same transaction as the events (both
or neither), then its rendered files and the Rasa server's in-memory copies. A failure there is recorded
and told to the caregiver in words that say only what is known (channels.DELETE_FAILED_TEXTS): when the
store fails after this action removed the diary, the reply says the diary may already be gone.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher

logger = logging.getLogger(__name__)
DELETE_ACTION = "action_delete_conversation"


class ActionDeleteConversation(Action):
    """Forgets the conversation in this turn; the tracker store deletes what was stored."""

    def name(self) -> Text:
        return DELETE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        from ops.diary_store import StoreUnavailable, diary_store

        try:
            diary_store().delete_conversation(tracker.sender_id)
        except StoreUnavailable as error:  # the tracker store's hook tries again and reports a failure
            logger.warning("The diary could not be deleted by the action server: %s", error)
        # Clearing the slots makes the rest of this turn (and any store that cannot delete, such as the
        # in-memory one used by some tests) forget the details too.
        return [AllSlotsReset()]
