"""One local Spark session for the whole test run, or a skip (a failure in CI) when Java is missing.

Outside CI a machine without Java skips the Spark tests with a message saying how to run them;
``.ci/run`` sets ``RUNSTATE_REQUIRE_SPARK=1`` so that there a missing Java fails them instead.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

ENABLE_HINT = (
    "Spark tests need a Java runtime (11+): install one (e.g. `apt-get install default-jre-headless`) "
    "or set JAVA_HOME; set RUNSTATE_REQUIRE_SPARK=1 to make its absence a failure"
)
# pyspark 4.3 warns on pandas 3 (which it 'does not yet fully support'); CI pins pandas<3 through
# runstate[spark], and the mapInArrow path never touches pandas, so the warning is not ours to fail on
PANDAS3_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def java_available() -> bool:
    """True if Spark can find a Java runtime (``JAVA_HOME`` or ``java`` on the PATH)."""
    home = os.environ.get("JAVA_HOME")
    return bool(home and (Path(home) / "bin" / "java").exists()) or shutil.which("java") is not None


def require_java() -> None:
    """Skip (or, with RUNSTATE_REQUIRE_SPARK=1, fail) when there is no Java runtime."""
    if java_available():
        return
    if os.environ.get("RUNSTATE_REQUIRE_SPARK") == "1":
        pytest.fail(f"RUNSTATE_REQUIRE_SPARK=1 but no Java runtime was found. {ENABLE_HINT}")
    pytest.skip(ENABLE_HINT)


def start_session() -> Any:
    """A ``local[2]`` session in UTC with the UI off, its workers on this interpreter: quick to start.

    The JVM compiles with C1 alone (a test session runs each query once: full optimisation would
    not pay back) and without whole-stage code generation: the Databricks SQL's generated method
    outgrows Java's 64 KB, so Spark would compile it, fail and fall back to evaluating the same
    expressions anyway, after seconds of compiling per query.
    """
    require_java()
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("runstate-tests")
        .config("spark.pyspark.python", sys.executable)  # workers run this interpreter, not PATH's python3
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
