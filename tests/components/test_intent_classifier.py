"""The intent classifier's one-message row (components/intent_classifier.py) is the matrix Rasa's own
LogisticRegressionClassifier makes, and the trained model classifies every message as Rasa's class does."""
import random

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from components import intent_classifier
from components.intent_classifier import BacklineIntentClassifier, sentence_row

pytestmark = pytest.mark.usefixtures("speedups_on")


def rasas_row(message: Message):
    return LogisticRegressionClassifier._create_X(None, [message])  # reads nothing of the classifier


def ours() -> BacklineIntentClassifier:
    return BacklineIntentClassifier.__new__(BacklineIntentClassifier)  # its row reads nothing it was trained with


def same(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.toarray(), b.toarray())


def message(rng: random.Random, widths=(7, 40, 300)) -> Message:
    """A message as the featurizers leave it: per-token and sentence features of several featurizers, some empty,
    the sentence ones of integer counts or floats, in an order the featurizers would not all keep."""
    out = Message(data={TEXT: "x"})
    tokens = rng.randint(1, 6)
    for origin, width in zip(("regex", "words", "chars"), widths, strict=True):
        for kind, rows in ((FEATURE_TYPE_SEQUENCE, tokens), (FEATURE_TYPE_SENTENCE, 1)):
            density = rng.choice((0.0, 0.05, 0.3))
            matrix = scipy.sparse.random(rows, width, density=density, format="coo", random_state=rng.randint(0, 9999),
                                         dtype=rng.choice((np.int64, np.float32, np.float64)))
            out.add_features(Features(matrix, kind, TEXT, origin))
    return out


def test_the_row_is_the_matrix_rasa_makes():
    rng = random.Random(3)
    for _ in range(200):
        m = message(rng)
        assert same(sentence_row(m), rasas_row(m))


def test_a_wrong_row_is_told_apart():
    """The comparison above fails for a row made wrong on purpose: the featurizers' blocks in another order, or one
    left out."""
    rng = random.Random(5)
    m = message(rng, widths=(20, 20, 20))
    while not (rasas_row(m)[0, :20].nnz and rasas_row(m)[0, 20:40].nnz):
        m = message(rng, widths=(20, 20, 20))
    wrong = Message(data={TEXT: "x"})
    sentence = [f for f in m.features if f.type == FEATURE_TYPE_SENTENCE]
    for features in [sentence[1], sentence[0], sentence[2]]:
        wrong.add_features(features)
    assert not same(sentence_row(wrong), rasas_row(m))
    short = Message(data={TEXT: "x"})
    short.add_features(sentence[0])
    assert not same(sentence_row(short), rasas_row(m))


def test_dense_features_or_none_go_rasas_way(monkeypatch):
    m = Message(data={TEXT: "x"})
    assert sentence_row(m) is None
    m.add_features(Features(np.ones((1, 4)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    assert sentence_row(m) is None
    calls = []
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", lambda self, messages: calls.append(messages))
    ours()._create_X([m])
    assert calls == [[m]]


def test_switched_off_or_for_many_messages_it_is_rasas_code(monkeypatch):
    rng = random.Random(9)
    one, two = message(rng), message(rng)
    calls = []
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", lambda self, messages: calls.append(messages))
    ours()._create_X([one, two])  # training
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "intent_row")
    ours()._create_X([one])
    assert calls == [[one, two], [one]]
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF")
    assert same(ours()._create_X([one]), sentence_row(one))


@pytest.mark.e2e  # needs the trained model
def test_the_trained_classifier_ranks_every_message_as_rasas_class_does():
    from rasa.core.agent import Agent

    from harness.servers import trained_model_file

    agent = Agent.load(str(trained_model_file()))
    nodes = agent.processor.graph_runner._instantiated_nodes
    pipeline = [node._component for name, node in nodes.items() if name.startswith("run_")]  # in the graph's order
    ours = next(c for c in pipeline if isinstance(c, LogisticRegressionClassifier))
    assert type(ours) is intent_classifier.BacklineIntentClassifier  # config.yml's
    featurizers = pipeline[:pipeline.index(ours)]
    texts = ["hi", "my husband has MS and his back hurts", "since this morning she has wet herself twice",
             "what is spasticity?", "NO!!! not that", "her lower back, just above the belt", "??", "log: pain 6/10",
             "he fell off the commode an hour ago and now he can't stand", "idk", "thanks so much x"]
    for text in texts:
        m = Message(data={TEXT: text})
        for featurizer in featurizers:
            featurizer.process([m])
        row = ours._create_X([m])
        assert same(row, rasas_row(m)), text
        assert np.array_equal(ours.clf.predict_proba(row), ours.clf.predict_proba(rasas_row(m))), text
