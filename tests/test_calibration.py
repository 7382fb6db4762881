"""The default stand-ins meet every calibration target (slow: generates both default sets)."""

import pytest

from emocourse.cli import main
from emocourse.data import load
from emocourse.evaluate.calibration import calibrate, format_report
from emocourse.data.standins import make_faces

SHARES_THE_BOOKS_HOME = True  # see conftest.py: chapter 3 and the book load the models trained here


@pytest.mark.parametrize("name", ["affect", "faces"])
def test_default_standin_meets_every_target(name, capsys):
    dataset = load(name)  # generated into the book's home, where the chapters reuse it
    checks = calibrate(dataset)
    report = format_report(dataset, checks)
    print(report)
    assert len(checks) == (10 if name == "affect" else 5)
    assert all(check.ok for check in checks), report


def test_calibrate_command_exit_status(tmp_path, capsys):
    make_faces(tmp_path / "small", n=300)
    status = main(["data", "calibrate", str(tmp_path / "small")])
    out = capsys.readouterr().out
    assert "targets met" in out and status == (0 if "5 of 5 targets met" in out else 1)
