"""No table keeps an index of one column that another index of the same table begins with.

The composite index (or unique constraint, or primary key) finds the same rows, and serves
the same ON DELETE CASCADE; the single one only costs every insert, and every update
PostgreSQL cannot make in place, one more write. `OrgScopedMixin.org_id_index` is how an
organization-scoped model gives up its `org_id` index.
"""

from sqlalchemy import Index, PrimaryKeyConstraint, Table, UniqueConstraint

from procession.db.models import Base


def is_partial(index: Index) -> bool:
    """A partial index (`WHERE ...`) serves only its own rows, so it covers nothing else."""
    return any(
        index.dialect_options[dialect].get("where") is not None
        for dialect in ("sqlite", "postgresql")
    )


def leading_columns(table: Table) -> dict[str, str]:
    """The first column of each complete index, unique constraint and primary key of `table`
    that has more than one column, with the name of one of them."""
    column_lists: list[tuple[str, list[str]]] = [
        (str(index.name), [column.name for column in index.columns])
        for index in table.indexes
        if not is_partial(index)
    ]
    column_lists += [
        (str(constraint.name), [column.name for column in constraint.columns])
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
    ]
    return {columns[0]: name for name, columns in column_lists if len(columns) > 1}


def redundant_indexes() -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        covering = leading_columns(table)
        for index in table.indexes:
            columns = [column.name for column in index.columns]
            if len(columns) == 1 and not is_partial(index) and columns[0] in covering:
                found.append(f"{index.name} (covered by {covering[columns[0]]})")
    return found


def test_no_index_is_the_prefix_of_another_on_the_same_table() -> None:
    assert redundant_indexes() == []


def test_the_check_finds_an_index_a_composite_begins_with() -> None:
    tasks = Base.metadata.tables["tasks"]
    index = Index("ix_tasks_org_id_again", tasks.c.org_id)
    try:
        [found] = redundant_indexes()
        assert found.startswith("ix_tasks_org_id_again (covered by ix_tasks_org_")
    finally:
        tasks.indexes.discard(index)


def test_a_partial_composite_covers_nothing() -> None:
    """`tags.org_id` keeps its index: the composite beginning with it holds live tags only."""
    tags = Base.metadata.tables["tags"]
    assert any(is_partial(index) for index in tags.indexes)
    assert "org_id" not in leading_columns(tags)
    assert any([c.name for c in index.columns] == ["org_id"] for index in tags.indexes)
