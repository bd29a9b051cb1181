"""The one dialect-specific piece of search: how a text column is matched and ranked.

SQLite (`SqliteFts`): the migration keeps an FTS5 external-content table per searched
column, `search_<table>`, with the trigram tokenizer and sync triggers. Every
whitespace-separated term of three characters or more must occur in the text as a
case-insensitive substring (an FTS5 phrase of trigrams, answered from the index);
shorter terms (the trigram index cannot answer them) become `LIKE` filters on the rows the
index found, or, when every term is short, on the organization's rows. Ranked by bm25.

PostgreSQL (`PostgresFts`): a GIN index on `to_tsvector('simple', column)`. Matching is by
word: every term must be a word of the text, and the last term may be the start of one
(`term:*`), so "onboard" finds "Onboarding" but "boarding" does not. Ranked by ts_rank.
Terms are cut at non-word characters there, as the text search parser cuts the text.
"""

import re
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import InstrumentedAttribute

AnySelect = Select[Any]
TRIGRAM = 3


def is_index_object(name: str | None) -> bool:
    """Whether a schema object belongs to the search indexes (made by the migration, not the
    models): SQLite's FTS5 tables and their shadow tables, PostgreSQL's GIN indexes."""
    return bool(name) and str(name).startswith(("search_", "ix_search_"))


@dataclass(frozen=True)
class Matched:
    """A select narrowed to the matching rows, and its rank order (best first)."""

    stmt: AnySelect
    order: list[ColumnElement[Any]]


class SearchBackend(Protocol):
    def match(
        self, stmt: AnySelect, text_column: InstrumentedAttribute[str], query: str
    ) -> Matched:
        """`stmt` (a select from the column's table) limited to rows whose text matches
        `query`, with the rank order. A query with no usable term matches nothing."""
        ...


def contains(text_column: InstrumentedAttribute[str], term: str) -> ColumnElement[bool]:
    return func.lower(text_column).contains(term.lower(), autoescape=True)


class SqliteFts:
    def match(
        self, stmt: AnySelect, text_column: InstrumentedAttribute[str], query: str
    ) -> Matched:
        terms = query.split()
        long_terms = [t for t in terms if len(t) >= TRIGRAM]
        short = [contains(text_column, t) for t in terms if len(t) < TRIGRAM]
        if not terms:
            return Matched(stmt.where(false()), [])
        if not long_terms:
            return Matched(stmt.where(and_(*short)), [])
        base = text_column.class_.__table__.name
        name = f"search_{base}"
        fts = table(name, column("rowid"), column(name), column("rank"))
        phrase = " ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        # The index's hits first, materialized: joined directly, SQLite may walk the base
        # table and run the full-text query once per row.
        hits = (
            select(fts.c.rowid.label("rowid"), fts.c.rank.label("rank"))
            .where(fts.c[name].op("MATCH")(phrase))
            .cte(f"{name}_hits")
            .prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(hits, hits.c.rowid == literal_column(f"{base}.rowid")).where(*short)
        return Matched(stmt, [hits.c.rank])


WORD = re.compile(r"\w+")


class PostgresFts:
    def match(
        self, stmt: AnySelect, text_column: InstrumentedAttribute[str], query: str
    ) -> Matched:
        words = WORD.findall(query.lower())
        if not words:
            return Matched(stmt.where(false()), [])
        # \w+ words hold no tsquery syntax; quoting them keeps it that way.
        expression = " & ".join(f"'{w}'" for w in words) + ":*"
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        vector = func.to_tsvector(simple, text_column)
        # Inlined at execution, not a bound parameter: with a parameter, a prepared
        # statement's generic plan may walk the organization's rows computing to_tsvector
        # for each instead of using the GIN index.
        tsquery = func.to_tsquery(simple, bindparam("tsquery", expression, literal_execute=True))
        return Matched(stmt.where(vector.op("@@")(tsquery)), [func.ts_rank(vector, tsquery).desc()])


def backend_for(dialect_name: str) -> SearchBackend:
    return SqliteFts() if dialect_name == "sqlite" else PostgresFts()
