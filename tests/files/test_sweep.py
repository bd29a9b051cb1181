"""`procession files sweep` removes stored files no record names (left by a crash between a
commit and an unlink), and nothing else."""

import os
import time

from typer.testing import CliRunner

from procession.cli import app as cli
from tests.conftest import World
from tests.factories import make_template, ok
from tests.files.helpers import PNG, stored, upload


def test_sweep_removes_old_files_without_a_record(world: World, runner: CliRunner) -> None:
    template = make_template(world.admin, steps=1)
    asset = ok(upload(world.admin, "Checklist", template["id"]))["data"]
    folder = stored(world, asset["id"]).parent
    old_orphan, new_orphan = folder / ("a" * 32), folder / ("b" * 32)
    old_orphan.write_bytes(b"left behind")
    new_orphan.write_bytes(b"an upload about to commit")
    an_hour_ago = time.time() - 3601
    os.utime(old_orphan, (an_hour_ago, an_hour_ago))
    os.utime(stored(world, asset["id"]), (an_hour_ago, an_hour_ago))
    result = runner.invoke(cli, ["files", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 file(s) without a record removed" in result.output
    assert not old_orphan.exists()
    assert new_orphan.exists()
    assert stored(world, asset["id"]).read_bytes() == PNG
