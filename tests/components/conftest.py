"""Fixtures of the Rasa server's components' tests."""
import pytest
from rasa.shared.core.domain import Domain

from harness.servers import ROOT


@pytest.fixture(scope="module")
def domain():
    """The project's domain, loaded once per module (a replay keyed by the domain starts again in each)."""
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def speedups_on(monkeypatch):
    """Every speed-up on, whatever the environment running the tests switched off."""
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
