"""`make run` serves on port 8000, or on the one PORT names (beside a kaohe already running)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def server_line(**environment: str) -> str:
    """The command `make run` would start the server with (make -n: printed, not run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {name: value for name, value in os.environ.items() if name != "PORT"} | environment
    printed = subprocess.run(
        ["make", "-n", "run"],  # noqa: S607 (make from the PATH, as a person runs it)
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(line for line in printed.splitlines() if "runserver" in line)


def test_make_run_serves_on_8000_by_default():
    assert server_line().endswith("runserver 127.0.0.1:8000")


def test_port_chooses_another_port():
    assert server_line(PORT="8001").endswith("runserver 127.0.0.1:8001")
