"""The bytes of uploaded files, on disk, and keeping them in step with the database.

Each asset's bytes are one file, `<files_dir>/<org id>/<asset id>`, written to a temporary
name in the same directory and renamed into place, so a reader never sees half a file.

The row and the bytes must never disagree, yet a file system takes no part in the database
transaction. So file changes are tied to the transaction's outcome with SQLAlchemy session
events, wherever the session is (a request, a job, the CLI):

- an upload writes the bytes first, then adds the row; `remove_on_rollback` deletes the
  bytes if that transaction (or the savepoint it ran in) is rolled back;
- a delete or a purge removes the rows; `remove_after_commit` deletes the bytes only once
  the outermost transaction has committed. A rolled-back purge (a failure, a dry run, a bulk
  item's savepoint) keeps them.

If the process dies between the commit and the unlink, a file is left without a row; it is
unreachable (every read goes through the row) and `sweep` removes such files.
"""

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

PENDING = "files.pending"
CHUNK = 1024 * 1024


def files_dir(session: AsyncSession) -> Path:
    """The storage root of the database this session talks to (`Database` puts it there)."""
    return Path(session.info["files_dir"])


def blob_path(root: Path, org_id: str, asset_id: str) -> Path:
    if not (org_id.isalnum() and asset_id.isalnum()):  # ids are hex: never a path trick
        raise ValueError("not an id")
    return root / org_id / asset_id


@dataclass(frozen=True)
class Stored:
    size: int
    sha256: str


def _write(source: BinaryIO, target: Path) -> Stored:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    size = 0
    try:
        with temporary.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Stored(size, digest.hexdigest())


async def write(source: BinaryIO, target: Path) -> Stored:
    """Copy `source` to `target` atomically (temporary file, then rename), off the event
    loop; returns the size and SHA-256 of what was written."""
    return await anyio.to_thread.run_sync(_write, source, target)


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # never fail a committed transaction over a file; `sweep` retries
            log.warning("could not remove %s", path, exc_info=True)


# Pending file removals of a session: (transaction they belong to, when, paths). "commit":
# remove once the outermost transaction commits; "rollback": remove if it is rolled back.
Pending = list[tuple[SessionTransaction | None, str, list[Path]]]


def _pending(session: Session) -> Pending:
    return session.info.setdefault(PENDING, [])  # type: ignore[no-any-return]


def _add(session: AsyncSession, when: str, paths: list[Path]) -> None:
    sync = session.sync_session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    _pending(sync).append((transaction, when, paths))


def remove_after_commit(session: AsyncSession, paths: list[Path]) -> None:
    """Delete `paths` once the session's outermost transaction commits (never if it does not)."""
    if paths:
        _add(session, "commit", paths)


def remove_on_rollback(session: AsyncSession, paths: list[Path]) -> None:
    """Delete `paths` if the current transaction (or savepoint) is rolled back."""
    if paths:
        _add(session, "rollback", paths)


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: nothing is final yet
        return
    pending = session.info.pop(PENDING, [])
    _unlink([path for _, when, paths in pending if when == "commit" for path in paths])


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    pending: Pending = session.info.get(PENDING, [])
    undone = [entry for entry in pending if entry[0] is None or _inside(entry[0], previous)]
    if not undone:
        return
    session.info[PENDING] = [entry for entry in pending if entry not in undone]
    _unlink([path for _, when, paths in undone if when == "rollback" for path in paths])


def sweep(root: Path, known: set[tuple[str, str]], *, min_age_seconds: float) -> list[Path]:
    """Remove stored files whose (org id, asset id) is not in `known` and which are older
    than `min_age_seconds` (younger ones may be uploads whose row is not committed yet).
    Such files are left by a crash between a commit and an unlink, or by the deletion of a
    whole organization. Returns what was removed."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    cutoff = time.time() - min_age_seconds
    for org_dir in root.iterdir():
        if not org_dir.is_dir():
            continue
        for path in org_dir.iterdir():
            if (org_dir.name, path.name.lstrip(".").removesuffix(".part")) in known:
                continue
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
