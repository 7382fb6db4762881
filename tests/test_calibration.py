"""The default stand-ins meet every calibration target: the committed reports (``make calibrate``)
were measured on today's stand-in bytes and training code, and record no missed target."""

import json

import pytest

from emocourse.cli import main
from emocourse.data import load
from emocourse.data.standins import make_faces
from emocourse.evaluate import calibration
from emocourse.evaluate.calibration import REPORTS, stale

SHARES_THE_BOOKS_HOME = True  # see conftest.py: the default stand-ins are generated once, for the book too

TARGETS = {"affect": 10, "faces": 5}


@pytest.mark.parametrize("name", TARGETS)
def test_committed_report_is_current_and_meets_every_target(name):
    problem = stale(load(name))
    assert problem is None, problem
    report = json.loads((REPORTS / f"{name}.json").read_text())
    assert len(report["checks"]) == TARGETS[name] and all(check["ok"] for check in report["checks"])


def test_changed_training_code_asks_for_make_calibrate(monkeypatch):
    monkeypatch.setattr(calibration, "training_fingerprint", lambda: "0" * 64)
    assert "training code" in stale(load("faces")) and "make calibrate" in stale(load("faces"))


def test_other_stand_in_bytes_ask_for_make_calibrate(tmp_path):
    other = make_faces(tmp_path / "faces", n=300)  # another size: other bytes
    assert "bytes are not those faces.json was measured on" in stale(other)


def test_docstring_and_comment_edits_keep_the_fingerprint():
    code = "def f(x):\n    return x + 1\n"
    edited = 'def f(x):\n    """Add one."""\n    # the successor\n    return x + 1\n'
    assert calibration._without_docstrings(code) == calibration._without_docstrings(edited)
    assert calibration._without_docstrings(code) != calibration._without_docstrings(code.replace("1", "2"))


def test_record_refuses_a_dataset_that_is_not_a_default_stand_in(tmp_path, capsys):
    make_faces(tmp_path / "small", n=300)
    assert main(["data", "calibrate", str(tmp_path / "small"), "--record"]) == 2
    assert "--record writes the report of a default stand-in" in capsys.readouterr().err


def test_calibrate_command_exit_status(tmp_path, capsys):
    make_faces(tmp_path / "small", n=300)
    status = main(["data", "calibrate", str(tmp_path / "small")])
    out = capsys.readouterr().out
    assert "targets met" in out and status == (0 if "5 of 5 targets met" in out else 1)
