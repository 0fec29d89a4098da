import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEAL = REPO / "deals" / "impac-cmb-2004-1"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def deal_dir() -> Path:
    assert (DEAL / "deal.toml").exists(), f"reference deal missing at {DEAL}"
    return DEAL


@pytest.fixture(scope="session")
def deal(deal_dir):
    import tranche

    return tranche.Deal.load(deal_dir)


@pytest.fixture(scope="session")
def tranche_bin() -> Path:
    """The `tranche` binary: $TRANCHE_BIN, else built with cargo (debug)."""
    env = os.environ.get("TRANCHE_BIN")
    if env:
        p = Path(env)
        assert p.exists(), f"TRANCHE_BIN={env} does not exist"
        return p
    cargo = shutil.which("cargo")
    assert cargo, "cargo not found: set TRANCHE_BIN to the tranche binary"
    subprocess.run([cargo, "build", "-q", "-p", "tranche-cli"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    p = target / "debug" / "tranche"
    assert p.exists(), f"built tranche binary not found at {p}"
    return p
