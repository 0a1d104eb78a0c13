import pytest

from tests.support.servers import ActionServer, RasaServer, trained_model_dir


@pytest.fixture(scope="session")
def backline(tmp_path_factory):
    """The real action server and Rasa server, on free ports, with the trained model in models/."""
    model = trained_model_dir()
    workdir = tmp_path_factory.mktemp("servers")
    actions = ActionServer(workdir).start()
    rasa = RasaServer(workdir, action_url=actions.webhook, model=model)
    try:
        rasa.start()
        yield rasa
    finally:
        rasa.stop()
        actions.stop()
