"""What the test modules share: the repository root and the mcgrad binary to compare with."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli():
    """MCGRAD_CLI, else the debug build, else the release build; skips the test without one."""
    for candidate in [os.environ.get("MCGRAD_CLI"), ROOT / ".build/debug/mcgrad", ROOT / ".build/release/mcgrad"]:
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip("no mcgrad binary to compare with (set MCGRAD_CLI)")
