"""The thin repository base: tenant scoping, lifecycle filtering and pagination in one place."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from math import ceil
from typing import Any, ClassVar, Generic, TypeAlias, TypeVar

from sqlalchemy import (
    Column,
    Insert,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.schema import ColumnDefault

from procession.db.base import Base, HexIdMixin, LifecycleMixin
from procession.db.types import utcnow
from procession.errors import NotFound
from procession.orgs.models import Organization

M = TypeVar("M", bound=Base)
T = TypeVar("T")
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A select of any columns (SQLAlchemy 2.1 types selects by their column tuple)."""


class Visibility(StrEnum):
    """Which lifecycle states a list shows: live only (the default), archived only, or both."""

    LIVE = "live"
    ARCHIVED = "archived"
    ALL = "all"


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 10

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    total: int
    request: PageRequest

    @property
    def total_pages(self) -> int:
        return max(1, ceil(self.total / self.request.per_page))


def with_visibility(stmt: AnySelect, model: type[LifecycleMixin], visibility: Visibility) -> Any:
    """Add the archived-or-not criterion for `visibility` to a select of `model`."""
    if visibility is Visibility.LIVE:
        return stmt.where(model.archived_at.is_(None))
    if visibility is Visibility.ARCHIVED:
        return stmt.where(model.archived_at.is_not(None))
    return stmt


def held(session: AsyncSession, model: type[M], ids: Iterable[str]) -> dict[str, M]:
    """Those of `ids` whose `model` rows this session already holds, fully loaded, by id: no
    SQL. Selecting them again would hand back these very objects, unchanged (the ORM keeps
    what it holds), so a caller selects only the rest."""
    found = {}
    for id_ in ids:
        instance = session.identity_map.get(identity_key(model, id_))
        if instance is not None and not inspect(instance).expired_attributes:
            found[id_] = instance
    return found


@cache
def insert_into(table: Table) -> Insert:
    """The INSERT of one whole row of `table`, built once per table."""
    return insert(table)


def fill_defaults(row: Base) -> dict[str, Any]:
    """The values of every column of the new `row`: what it was given, else its column's
    Python-side default, which is written into `row` too, as an INSERT through the unit of
    work would have. Raises `TypeError` where only the database would know the value (an
    SQL default, or a primary key it assigns)."""
    state = inspect(row)
    values = {}
    for key, column in state.mapper.columns.items():
        if not isinstance(column, Column):  # a `query_expression`, loaded, never stored
            continue
        if key not in state.dict:
            state.dict[key] = python_default(column)
        values[column.key] = state.dict[key]
        if column.primary_key and values[column.key] is None:
            raise TypeError(f"{column} is assigned by the database")
    return values


def python_default(column: Column[Any]) -> Any:
    """The value `column` gets when an INSERT leaves it out."""
    default = column.default
    if default is None:
        return None
    if not isinstance(default, ColumnDefault):
        raise TypeError(f"{column}'s default is a sequence")
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        # SQLAlchemy wraps a default that takes nothing into one that takes the execution
        # context; none of ours uses it.
        return default.arg(None)
    raise TypeError(f"{column}'s default is SQL, which only the database evaluates")


def count_of(stmt: AnySelect) -> AnySelect:
    """The select of how many rows `stmt` selects."""
    return select(func.count()).select_from(stmt.order_by(None).subquery())


async def count(session: AsyncSession, stmt: AnySelect) -> int:
    """How many rows `stmt` selects."""
    return int((await session.execute(count_of(stmt))).scalar_one())


async def paginate(session: AsyncSession, stmt: AnySelect, page: PageRequest) -> PageResult[Any]:
    """One page of the first column of `stmt`, and the count of every matching row (the SDK
    checks the total)."""
    rows = (await session.scalars(stmt.limit(page.per_page).offset(page.offset))).all()
    return PageResult(list(rows), await count(session, stmt), page)


@lru_cache(maxsize=1024)
def page_and_count(stmt: AnySelect) -> tuple[AnySelect, AnySelect]:
    """The page (`:page_limit` rows from `:page_offset`) and the count of a select built once.
    Keyed on the select itself, so only for selects that are built once: a select built per
    request would never be found again."""
    limit, offset = bindparam("page_limit", type_=Integer), bindparam("page_offset", type_=Integer)
    return stmt.limit(limit).offset(offset), count_of(stmt)


async def paginate_bound(
    session: AsyncSession, stmt: AnySelect, params: dict[str, Any], page: PageRequest
) -> PageResult[Any]:
    """`paginate` for a select built once with bind parameters, given their `params`.

    A select built anew costs more to build, and to key in SQLAlchemy's cache of compiled
    statements, than a short page costs to run; one built once keeps its key (see
    `processes.service.process_query`)."""
    page_stmt, count_stmt = page_and_count(stmt)
    bounds = {"page_limit": page.per_page, "page_offset": page.offset}
    rows = (await session.scalars(page_stmt, {**params, **bounds})).all()
    total = (await session.execute(count_stmt, params)).scalar_one()
    return PageResult(list(rows), int(total), page)


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character `/`) matching values that contain `text` as it is:
    its `%` and `_` are matched literally, as SQLAlchemy's `contains(autoescape=True)` does
    for a literal (which a bind parameter cannot have)."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


async def paginate_rows(
    session: AsyncSession, stmt: AnySelect, page: PageRequest
) -> PageResult[Any]:
    """Like `paginate`, for statements selecting several entities: items are row tuples."""
    rows = (await session.execute(stmt.limit(page.per_page).offset(page.offset))).all()
    return PageResult([tuple(row) for row in rows], await count(session, stmt), page)


LOCK_ORGANIZATION = (
    select(Organization.id).where(Organization.id == bindparam("org_id")).with_for_update()
)


class Repository(Generic[M]):
    """Statements for one org-scoped model. Subclasses set `model` and `resource`.

    Every statement starts from `base()`, which filters on the caller's organization, so a
    row of another organization is never found: it answers 404 like a missing one.
    """

    model: ClassVar[type[Any]]
    resource: ClassVar[str] = "Resource"

    def __init__(self, session: AsyncSession, org_id: str) -> None:
        self.session = session
        self.org_id = org_id

    def base(self) -> AnySelect:
        return select(self.model).where(self.model.org_id == self.org_id)

    @classmethod
    @cache
    def in_org(cls) -> AnySelect:
        """The rows of organization `:org_id`: what `base()` selects, for statements built
        once and bound per call."""
        return select(cls.model).where(cls.model.org_id == bindparam("org_id"))

    @classmethod
    @cache
    def by_id(cls) -> AnySelect:
        """The row with id `:id` in organization `:org_id`. Built once per model: every
        request fetches something by id, and building the statement costs more than
        running it."""
        return cls.in_org().where(cls.model.id == bindparam("id"))

    @classmethod
    @cache
    def by_id_for_update(cls) -> AnySelect:
        """`by_id` under a row lock, re-read even when the session holds the object already
        (it may be stale)."""
        return cls.by_id().with_for_update().execution_options(populate_existing=True)

    @classmethod
    @cache
    def update_by_id(cls) -> Update:
        """UPDATE of the row with id `:row_id`, built once per model. Its SET is made of the
        other parameters it is given (SQLAlchemy compiles and caches one per set of names)."""
        table = cls.model.__table__
        return update(table).where(table.c.id == bindparam("row_id"))

    async def get(
        self, id_: str, *, for_update: bool = False, statement: AnySelect | None = None
    ) -> M | None:
        """The row with this id in this organization, archived or not. `statement` replaces
        `by_id` (or `by_id_for_update`) with a variant built once from it, for a caller that
        loads more with the row: it takes the same `:org_id` and `:id`."""
        if statement is None:
            statement = self.by_id_for_update() if for_update else self.by_id()
        params = {"org_id": self.org_id, "id": id_}
        return (await self.session.scalars(statement, params)).one_or_none()

    async def get_or_raise(
        self, id_: str, *, for_update: bool = False, statement: AnySelect | None = None
    ) -> M:
        """Like `get`, raising `NotFound` when the row is missing or in another organization."""
        row = await self.get(id_, for_update=for_update, statement=statement)
        if row is None:
            raise NotFound(self.resource)
        return row

    @classmethod
    @cache
    def next_increment(cls) -> AnySelect:
        """The next sequence number of this model in organization `:org_id`."""
        highest = func.coalesce(func.max(cls.model.increment_id), 0)
        return select(highest + 1).where(cls.model.org_id == bindparam("org_id"))

    async def next_increment_id(self, *, organization_locked: bool = False) -> int:
        """The next per-organization sequence number for this model. Locks the organization
        row first, so concurrent creations in one organization never draw the same number;
        `organization_locked` says this transaction holds that lock already (a launch numbers
        its process, then its tasks)."""
        params = {"org_id": self.org_id}
        if not organization_locked:
            await self.session.execute(LOCK_ORGANIZATION, params)
        return int((await self.session.execute(self.next_increment(), params)).scalar_one())

    def add(self, row: M) -> M:
        self.session.add(row)
        return row

    async def insert(self, row: M) -> M:
        """INSERT the new `row` now, and keep it in the session as if it had been loaded: a
        later change to it is an UPDATE at the next flush. For creations on hot paths (a
        comment): the unit of work's flush of one new row costs several times its SQL.
        Unlike `add`, nothing waits for the flush, so the row's foreign keys must be set."""
        await self.session.execute(insert_into(row.__table__), fill_defaults(row))
        make_transient_to_detached(row)
        self.session.add(row)
        return row

    async def write(self, row: HexIdMixin, **values: Any) -> None:
        """Set `values` (by column name) on `row` and on its stored row at once, with one
        UPDATE and no flush; `updated_at` moves to now with them. For the few columns a hot
        path changes (a completion, a process's counts): the unit of work's flush of one row
        costs several times its UPDATE. The object holds the values as if loaded, so a flush
        later does not write them again."""
        values["updated_at"] = utcnow()
        await self.session.execute(self.update_by_id(), {"row_id": row.id, **values})
        for key, value in values.items():
            set_committed_value(row, key, value)

    async def get_many(self, ids: list[str]) -> list[M]:
        """The rows with these ids in this organization (missing ones are left out)."""
        if not ids:
            return []
        return list((await self.session.scalars(self.base().where(self.model.id.in_(ids)))).all())
