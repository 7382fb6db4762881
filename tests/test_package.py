"""The package as a chapter imports it."""

import subprocess
import sys


def test_chapters_show_no_upstream_deprecation_warning_from_fastai():
    code = "import emocourse; import fastai.vision.all"
    result = subprocess.run([sys.executable, "-W", "error::FutureWarning", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
