"""The default stand-ins meet every calibration target (slow: generates both default sets)."""

import pytest

from emocourse.cli import main
from emocourse.data.calibrate import calibrate, format_report
from emocourse.data.standins import make_affect, make_faces


@pytest.mark.parametrize("make", [make_affect, make_faces], ids=["affect", "faces"])
def test_default_standin_meets_every_target(tmp_path, make, capsys):
    dataset = make(tmp_path / make.__name__)
    checks = calibrate(dataset)
    report = format_report(dataset, checks)
    print(report)
    assert len(checks) == (9 if make is make_affect else 5)
    assert all(check.ok for check in checks), report


def test_calibrate_command_exit_status(tmp_path, capsys):
    make_faces(tmp_path / "small", n=300)
    status = main(["data", "calibrate", str(tmp_path / "small")])
    out = capsys.readouterr().out
    assert "targets met" in out and status == (0 if "5 of 5 targets met" in out else 1)
