"""Fixtures shared by every test package."""

import os
from pathlib import Path

import pytest

TESTDATA = Path(
    os.environ.get("TL_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata")
)


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The real images and documents in ../shared/testdata (skip when absent)."""
    if not TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {TESTDATA} (set TL_TESTDATA to its folder)")
    return TESTDATA
