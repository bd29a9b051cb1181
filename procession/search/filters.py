"""The structured `filter[...]` grammar of Tallyfy's search (API reference 3.15).

A condition is `filter[type]=field&filter[field]=title&filter[operation]=<op>&filter[value]=x`
(operation defaults to `=`); a group is `filter[0][type]=boolean&filter[0][value]=AND|OR`
followed by `filter[1][...]`, `filter[2][...]`, and groups nest. The fields a kind allows
map to its columns; anything else is a 422 naming the allowed fields.
"""

import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import InstrumentedAttribute

from procession.api.schemas import parse_wire_datetime
from procession.errors import RuleViolation

KEY = re.compile(r"^filter((?:\[[^\[\]]*\])+)$")
PART = re.compile(r"\[([^\[\]]*)\]")
MAX_DEPTH = 5
MAX_CONDITIONS = 50
OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
Fields = Mapping[str, InstrumentedAttribute[Any]]


def parse(params: list[tuple[str, str]]) -> dict[str, Any] | None:
    """The nested filter from the query's bracket keys, or None when there is none."""
    tree: dict[str, Any] = {}
    found = False
    for key, value in params:
        match = KEY.match(key)
        if not match:
            continue
        found = True
        parts = PART.findall(match.group(1))
        if len(parts) > MAX_DEPTH * 2:
            raise RuleViolation("filter", "The filter is nested too deeply.")
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise RuleViolation("filter", f"Malformed filter key {key!r}.")
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise RuleViolation("filter", f"Malformed filter key {key!r}.")
        node[parts[-1]] = value
    return tree if found else None


def to_clause(tree: dict[str, Any], fields: Fields, kind: str) -> ColumnElement[bool]:
    """The SQL criterion for a parsed filter, checked against `fields` (the kind's)."""
    budget = [MAX_CONDITIONS]
    clause: ColumnElement[bool] = _node(tree, fields, kind, budget)
    return clause


def _node(node: dict[str, Any], fields: Fields, kind: str, budget: list[int]) -> Any:
    head = node.get("0")
    if isinstance(head, dict) and head.get("type") == "boolean":
        combine = {"AND": and_, "OR": or_}.get(str(head.get("value", "")).upper())
        if combine is None:
            raise RuleViolation("filter", "A filter group's operator must be AND or OR.")
        children = [node[k] for k in sorted(node, key=_index) if k != "0"]
        if not children or not all(isinstance(c, dict) for c in children):
            raise RuleViolation("filter", "A filter group needs conditions after its operator.")
        return combine(*(_node(child, fields, kind, budget) for child in children))
    return _condition(node, fields, kind, budget)


def _index(key: str) -> int:
    if not key.isdigit():
        raise RuleViolation("filter", f"Unexpected filter key {key!r} in a group.")
    return int(key)


def _condition(node: dict[str, Any], fields: Fields, kind: str, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise RuleViolation("filter", f"A filter may hold at most {MAX_CONDITIONS} conditions.")
    name, value = node.get("field"), node.get("value")
    if not isinstance(name, str) or not isinstance(value, str):
        raise RuleViolation("filter", "A filter condition needs a field and a value.")
    if name not in fields:
        allowed = ", ".join(fields) or "none"
        raise RuleViolation(
            "filter", f"Searching {kind} cannot filter on {name!r}. Allowed fields: {allowed}."
        )
    compare = OPERATIONS.get(str(node.get("operation", "=")))
    if compare is None:
        raise RuleViolation("filter", f"Filter operations are {' '.join(OPERATIONS)}.")
    target = fields[name]
    return compare(*_operands(name, target, value))


def _operands(name: str, target: InstrumentedAttribute[Any], value: str) -> tuple[Any, Any]:
    if name == "starter":
        if not value.isdigit():
            raise RuleViolation("filter", "The starter filter takes a member id.")
        return target, int(value)
    if name == "date":
        try:
            moment: datetime = parse_wire_datetime(value)
        except ValueError as exc:
            raise RuleViolation("filter", f"The date filter takes a date: {exc}") from exc
        return target, moment
    return func.lower(target), value.lower()
