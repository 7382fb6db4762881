import pytest


@pytest.fixture(scope="session")
def emocourse_home(tmp_path_factory):
    """A private EMOCOURSE_HOME for the whole test session (weights are converted once into it)."""
    return tmp_path_factory.mktemp("emocourse-home")


@pytest.fixture(autouse=True)
def _isolated_home(request, emocourse_home, monkeypatch):
    """Tests get the session's private home, except in modules that set ``SHARES_THE_BOOKS_HOME``:
    chapter runs and the stand-in calibration use the home ``make book`` uses ($EMOCOURSE_HOME or
    ~/.cache/emocourse), as a reader's chapters share one, so that the stand-ins, converted weights,
    features and models they make are made once per machine, not once per step of ``make test``."""
    if not getattr(request.module, "SHARES_THE_BOOKS_HOME", False):
        monkeypatch.setenv("EMOCOURSE_HOME", str(emocourse_home))
