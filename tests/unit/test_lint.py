"""The code has no unused imports, undefined names or unsorted imports (ruff, configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing():
    """Run `ruff check` over the project; fix what it reports with `ruff check --fix`."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency: run scripts/setup --tests"
    result = subprocess.run([ruff, "check", "portal", "tests", "migrations", "config.py", "wsgi.py"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"ruff found problems (run `.venv/bin/ruff check --fix`):\n{result.stdout}"
