"""ClinicalReader: runs the clinical core's rule-based reading on every message inside Rasa's NLU pipeline.

The statistical intent classifier can be wrong; safety must not depend on it. So for every message:
- the condition named (ALS or MS, in any words) becomes a `condition` entity (the slot maps from it);
- a red flag reported as present and new becomes `report_red_flag` with `red_flag` entities;
- a crisis message becomes `crisis`, and a dose question `ask_dose`;
- a question the knowledge base can answer becomes `ask_knowledge` when the classifier said
  `out_of_scope` or was unsure;
- a message with no words at all (empty, emoji, punctuation) becomes `nlu_fallback`;
- a message the classifier took for a red-flag report, but in which the core finds no present red flag
  (negated, long-standing, or none at all), becomes `describe_pain`: the symptom form then asks the
  red-flag screen before any assessment. A guessed crisis or dose question is kept: there, erring
  towards the careful answer costs little.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

import bot

# Below this the statistical classifier's guess is weak enough to let the knowledge base's question
# matcher overrule it (the FallbackClassifier further down the pipeline uses a lower bar).
UNSURE_CONFIDENCE = 0.5


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
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload that names its intent itself
            if not any(ch.isalnum() for ch in text):
                # Empty, emoji-only or punctuation: nothing a classifier can judge; say so honestly.
                self._set_intent(message, "nlu_fallback")
                continue
            screen = bot.screen_message(text)
            self._add_entities(message, screen)
            intent = self._safety_intent(message, screen) or self._knowledge_intent(message, text)
            if intent:
                self._set_intent(message, intent)
        return messages

    @staticmethod
    def _add_entities(message: Message, screen: Dict[Text, Any]) -> None:
        found = []
        if screen["condition"]:
            found.append(_entity("condition", screen["condition"], screen.get("condition_span"), message))
        for flag in screen["red_flags"]:
            found.append(_entity("red_flag", flag, None, message))
        if found:
            message.set(ENTITIES, (message.get(ENTITIES) or []) + found, add_to_output=True)

    @staticmethod
    def _safety_intent(message: Message, screen: Dict[Text, Any]) -> Optional[Text]:
        if screen["crisis"]:
            return "crisis"
        if screen["red_flags"]:
            return "report_red_flag"
        if screen["dose_question"]:
            return "ask_dose"
        if (message.get(INTENT) or {}).get("name") == "report_red_flag":
            return "describe_pain"
        return None

    @staticmethod
    def _knowledge_intent(message: Message, text: Text) -> Optional[Text]:
        # A question the articles answer is not out of scope, however the classifier scored it.
        guessed = message.get(INTENT) or {}
        doubtful = guessed.get("name") == "out_of_scope" or (guessed.get("confidence") or 0.0) < UNSURE_CONFIDENCE
        if doubtful and guessed.get("name") != "ask_knowledge" and bot.answer_question(text):
            return "ask_knowledge"
        return None

    @staticmethod
    def _set_intent(message: Message, name: Text) -> None:
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != name]
        message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}] + ranking, add_to_output=True)


def _entity(name: Text, value: Any, span: Optional[List[int]], message: Message) -> Dict[Text, Any]:
    start, end = span if span else (0, len(message.get(TEXT) or ""))
    return {"entity": name, "value": value, "start": start, "end": end, "confidence_entity": 1.0,
            "extractor": "ClinicalReader"}
