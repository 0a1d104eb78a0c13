"""ClinicalReader: the clinical core's reading of every message, inside Rasa's NLU pipeline.

The statistical intent classifier can be wrong; safety must not depend on it. The core decides
(bot.turn.route): a crisis, a red flag reported as present and new, a dose question, a sign the symptom
form must read, a bare "not sure", a question the articles answer, a terse opening about back pain, or
wordless input. This component only writes that decision into the message: the intent (confidence 1.0,
so the FallbackClassifier after it leaves it alone), `condition` and `red_flag` entities, and the
reading itself under `bot.READING_KEY`, which travels to the action server in the parse data so the
message is not read again there.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

import bot


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
)
class ClinicalReader(GraphComponent):
    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ClinicalReader":
        return cls()

    def __init__(self) -> None:
        bot.warm_up()  # build the spaCy matchers at load time, not on the first caregiver's message

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            guessed = message.get(INTENT) or {}
            routed = bot.route(message.get(TEXT) or "", guessed.get("name"), guessed.get("confidence") or 0.0)
            if routed.entities:
                end = len(message.get(TEXT) or "")
                found = [{**e, "start": 0, "end": end, "confidence_entity": 1.0, "extractor": "ClinicalReader"}
                         for e in routed.entities]
                message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)
            if routed.reading is not None:
                message.set(bot.READING_KEY, routed.reading, add_to_output=True)
            if routed.intent:
                ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != routed.intent]
                message.set(INTENT, {"name": routed.intent, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{"name": routed.intent, "confidence": 1.0}] + ranking,
                            add_to_output=True)
        return messages
