"""Archive, restore and permanent delete ("purge"), written once for every resource.

The cascade graph is declared on the models' relationships, in SQLAlchemy's `info` dict:

- `info={"lifecycle": "cascade"}`: the child follows its parent into the archive and back
  (process -> tasks);
- `"inherit"`: archive and restore leave the child's rows alone, and it is hidden because
  its parent is: it is only ever read through its parent (task -> comments). Its own archive
  state says only whether it was deleted on its own. Archiving then costs nothing per child,
  and a process's conversation can be ten times its tasks;
- `"ignore"`: no effect; `"part"`: the child is not archivable on its own and lives and dies
  with its parent through the database (template -> steps).

`check_graph()` fails fast when an archivable model has an unmarked one-to-many relationship
to another archivable model. Every operation is set-based SQL, one statement per table level,
inside the caller's transaction.

Archive stamps the object and its cascading children with a new batch id; restore clears
exactly the rows carrying that batch id, so children archived on their own before keep their
own batch and stay archived. Purge deletes the object; every dependent row goes with it
through `ON DELETE CASCADE` foreign keys, which the same metadata walk counts beforehand.
"""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import RelationshipDirection, RelationshipProperty, class_mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from procession.db.base import Base, LifecycleMixin, new_id
from procession.db.types import utcnow
from procession.errors import InvalidState

MARKERS = frozenset({"cascade", "inherit", "ignore", "part"})


def ensure_live(row: LifecycleMixin, message: str) -> None:
    """Archived objects are read-only: raise `InvalidState` (422) with `message` if archived."""
    if row.archived_at is not None:
        raise InvalidState(message, code="ARCHIVED")


def is_archivable(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, LifecycleMixin)


def child_relationships(cls: type[Any]) -> Iterator[RelationshipProperty[Any]]:
    for relationship in class_mapper(cls).relationships:
        if relationship.direction is RelationshipDirection.ONETOMANY:
            yield relationship


def cascade_children(cls: type[Any]) -> list[tuple[type[Any], ColumnElement[Any]]]:
    """(child model, child's foreign-key column) for each `cascade` relationship of `cls`."""
    children = []
    for relationship in child_relationships(cls):
        if relationship.info.get("lifecycle") == "cascade":
            assert relationship.local_remote_pairs, "configured relationships have pairs"
            _, remote = relationship.local_remote_pairs[0]
            children.append((relationship.mapper.class_, remote))
    return children


def check_graph() -> None:
    """Refuse to start with an archivable parent -> archivable child relationship that does
    not say how the lifecycle crosses it."""
    for mapper in Base.registry.mappers:
        for relationship in child_relationships(mapper.class_):
            marker = relationship.info.get("lifecycle")
            if marker is not None and marker not in MARKERS:
                raise RuntimeError(f"{relationship}: unknown lifecycle marker {marker!r}")
            both_archivable = is_archivable(mapper.class_) and is_archivable(
                relationship.mapper.class_
            )
            if both_archivable and marker is None:
                raise RuntimeError(f"{relationship} needs info={{'lifecycle': ...}}")


def subtree(cls: type[Any]) -> list[type[Any]]:
    """`cls` and every model its cascade relationships reach, parents before children."""
    order, pending = [], [cls]
    while pending:
        current = pending.pop(0)
        if current not in order:
            order.append(current)
            pending.extend(child for child, _ in cascade_children(current))
    return order


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {table: n for table, n in counts.items() if n}


def keep_updated_at(cls: type[Any]) -> dict[str, Any]:
    """Lifecycle changes leave `updated_at` alone (naming it stops its onupdate default), so
    a restored row is identical, column for column, to the row before the archive."""
    return {"updated_at": cls.updated_at} if hasattr(cls, "updated_at") else {}


async def archive(
    session: AsyncSession, obj: LifecycleMixin, actor_id: int | None
) -> dict[str, int]:
    """Archive `obj` and, level by level, its live cascading children under one new batch id.

    Idempotent: archiving an archived object changes nothing and counts nothing. Returns the
    number of rows archived per table.
    """
    if obj.archived_at is not None:
        return {}
    cls: type[Any] = type(obj)
    batch = new_id()
    stamp = {"archived_at": utcnow(), "archived_by_id": actor_id, "archive_batch_id": batch}
    counts: dict[str, int] = {}
    level: list[tuple[type[Any], ColumnElement[bool]]] = [(cls, cls.id == obj.id)]
    while level:
        next_level: list[tuple[type[Any], ColumnElement[bool]]] = []
        for model, criterion in level:
            result = await session.execute(
                update(model)
                .where(criterion, model.archived_at.is_(None))
                .values(**stamp, **keep_updated_at(model))
                .execution_options(synchronize_session=False)
            )
            counts[model.__tablename__] = counts.get(model.__tablename__, 0) + result.rowcount  # type: ignore[attr-defined]
            archived_here = select(model.id).where(model.archive_batch_id == batch)
            next_level += [
                (child, foreign_key.in_(archived_here))
                for child, foreign_key in cascade_children(model)
            ]
        level = next_level
    await match_row(session, obj, stamp, written=counts[cls.__tablename__] == 1)
    return nonzero(counts)


async def restore(session: AsyncSession, obj: LifecycleMixin) -> dict[str, int]:
    """Bring back exactly the rows the archive of `obj` hid (those carrying its batch id).

    Idempotent: restoring a live object changes nothing. Returns rows restored per table.
    """
    batch = obj.archive_batch_id
    if obj.archived_at is None or batch is None:
        return {}
    cleared = {"archived_at": None, "archived_by_id": None, "archive_batch_id": None}
    counts = {}
    cls: type[Any] = type(obj)
    for model in subtree(cls):
        result = await session.execute(
            update(model)
            .where(model.archive_batch_id == batch)
            .values(**cleared, **keep_updated_at(model))
            .execution_options(synchronize_session=False)
        )
        counts[model.__tablename__] = result.rowcount  # type: ignore[attr-defined]
    await match_row(session, obj, cleared, written=counts[cls.__tablename__] == 1)
    return nonzero(counts)


async def match_row(
    session: AsyncSession, obj: LifecycleMixin, values: dict[str, Any], *, written: bool
) -> None:
    """Bring `obj` in line with its row after the set-based UPDATE of an archive or restore.

    When the UPDATE wrote its row, `obj` takes the values it wrote without reading the row
    back (a statement fewer per archive and restore). When it did not (another transaction
    changed the row between this one's read and its update), `obj` is read again.
    """
    if not written:
        await session.refresh(obj)
        return
    for key, value in values.items():
        set_committed_value(obj, key, value)


def cascade_tables(table: Table) -> Iterator[tuple[Table, ColumnElement[Any]]]:
    """(child table, its foreign-key column) for every ON DELETE CASCADE reference to `table`."""
    for child in Base.metadata.sorted_tables:
        for foreign_key in child.foreign_keys:
            if foreign_key.column.table is table and foreign_key.ondelete == "CASCADE":
                yield child, foreign_key.parent


async def count_dependents(session: AsyncSession, obj: LifecycleMixin) -> dict[str, int]:
    """How many rows per table a purge of `obj` removes: the object and everything reached
    through ON DELETE CASCADE foreign keys (one COUNT per table)."""
    table = type(obj).__table__  # type: ignore[attr-defined]
    counts: dict[str, int] = {}
    level = [(table, select(table.c.id).where(table.c.id == obj.id))]
    while level:
        next_level = []
        for current, ids in level:
            found = (
                await session.execute(select(func.count()).select_from(ids.subquery()))
            ).scalar_one()
            counts[current.name] = counts.get(current.name, 0) + found
            for child, foreign_key in cascade_tables(current):
                (key,) = child.primary_key.columns
                next_level.append((child, select(key).where(foreign_key.in_(ids))))
        level = next_level
    return nonzero(counts)


async def purge(
    session: AsyncSession, obj: LifecycleMixin, *, dry_run: bool = False
) -> dict[str, int]:
    """Delete an archived `obj` for good, with every dependent row; returns rows per table.

    `InvalidState` (422, code NOT_ARCHIVED) for a live object. With `dry_run`, only counts.
    """
    if obj.archived_at is None:
        raise InvalidState(
            "The object must be archived before it can be permanently deleted.",
            code="NOT_ARCHIVED",
        )
    counts = await count_dependents(session, obj)
    if not dry_run:
        cls = type(obj)
        await session.execute(
            delete(cls).where(cls.id == obj.id).execution_options(synchronize_session=False)
        )
        session.expunge(obj)
    return counts
