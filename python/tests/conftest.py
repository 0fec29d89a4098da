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


@pytest.fixture(scope="session")
def spark():
    """Spark in local mode on loopback, two worker threads."""
    pytest.importorskip("pyspark")
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    s = (
        SparkSession.builder.master("local[2]")
        .appName("tranche-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "250")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
