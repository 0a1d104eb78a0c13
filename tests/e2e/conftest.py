import pytest

from harness.servers import running_backline, trained_model_dir


@pytest.fixture(scope="session")
def backline(tmp_path_factory):
    """The real action server and Rasa server, on free ports, with the trained model in models/."""
    with running_backline(tmp_path_factory.mktemp("servers"), model=trained_model_dir()) as rasa:
        yield rasa
