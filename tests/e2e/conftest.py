import pytest

from harness.servers import MissingModel, running_backline, trained_model_dir


@pytest.fixture(scope="session")
def trained_model():
    """The trained model the real servers load; no model fails the tests that need one, with the fix."""
    try:
        return trained_model_dir()
    except MissingModel as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def backline(tmp_path_factory, trained_model):
    """The real action server and Rasa server, on free ports, with the trained model in models/."""
    with running_backline(tmp_path_factory.mktemp("servers"), model=trained_model) as rasa:
        yield rasa
