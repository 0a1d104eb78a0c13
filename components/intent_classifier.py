"""BacklineIntentClassifier: Rasa's LogisticRegressionClassifier, each message's row made from its sentence
features alone (config.yml names it in LogisticRegressionClassifier's place; speed-up "intent_row", switched off by
BACKLINE_SPEEDUPS_OFF).

Why. To classify one message, Rasa's classifier asks it for its combined sparse features
(`Message.get_sparse_features`), which deep-copies and stacks every featurizer's per-token (sequence) features as
well as its sentence features, throws the former away, and stacks the latter once more beside an empty dense block:
about 1.3 ms of every turn on this machine, where the prediction itself takes 0.2. The row made here is the same
matrix (the featurizers' sentence features side by side, in the message's order, as floats), made once and without
copies. Training, and a message with dense features, go Rasa's own way."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix

from ops.settings import speedup


def sentence_row(message: Message) -> Optional[csr_matrix]:
    """The message's sparse sentence features of its text side by side, as one CSR row of floats; None when it has
    dense sentence features or none at all (Rasa's own code then makes the row)."""
    columns, values, width = [], [], 0
    for features in message.features:
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
            continue
        if not features.is_sparse():
            return None
        block = features.features.tocoo()
        if block.shape[0] != 1:
            return None
        columns.append(block.col + width)
        values.append(block.data)
        width += block.shape[1]
    if not columns:
        return None
    cols = np.concatenate(columns)
    return csr_matrix((np.concatenate(values).astype(np.float64), cols, np.array([0, len(cols)])), shape=(1, width))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BacklineIntentClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with the one-message row above."""

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        if len(messages) == 1 and speedup("intent_row"):
            row = sentence_row(messages[0])
            if row is not None:
                return row
        return super()._create_X(messages)
