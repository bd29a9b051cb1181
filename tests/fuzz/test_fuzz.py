"""A bounded slice of the Schemathesis run `make fuzz` does in full (fuzz/run.py): every
operation of the OpenAPI schema, positive, negative and stateful, as an admin of a seeded
organization; no 5xx and no answer that breaks the schema."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from procession.config import Settings

RUNNER = Path(__file__).parents[2] / "fuzz" / "run.py"


def test_schemathesis_finds_no_server_error_and_no_schema_break(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    command = [sys.executable, str(RUNNER), "--database-url", settings.database_url]
    command += ["--max-examples", "3"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    answered = re.search(r"\[fuzz\] (\d+) requests answered, 0 with a 5xx status", report)
    assert answered is not None, report[-3000:]
    assert int(answered.group(1)) > 1000
    with capsys.disabled():
        print(f"\n[fuzz slice on {settings.database_url.split(':')[0]}] {answered.group(0)}")
