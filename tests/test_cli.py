import subprocess
import sys
from pathlib import Path

import pytest

import emocourse
from emocourse.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"emocourse {emocourse.__version__}"


def test_info_reports_folders_and_verified_weights(capsys, emocourse_home):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"home              {emocourse_home}" in out
    assert "bundled backbone  verified" in out
    assert "torch" in out and "device" in out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "info" in capsys.readouterr().out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "emocourse"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"emocourse {emocourse.__version__}"
