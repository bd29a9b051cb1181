"""Asset statements."""

from typing import Any

from sqlalchemy import Select, false, or_, select

from procession.db import lifecycle
from procession.db.repository import Repository
from procession.files.models import Asset


class AssetRepository(Repository[Asset]):
    model = Asset
    resource = "File"


def assets_purged_with(obj: Any) -> Select[str, str]:
    """(org id, asset id) of every asset a purge of `obj` deletes: those reached from `obj`'s
    table through ON DELETE CASCADE foreign keys, the walk `lifecycle.count_dependents` makes
    (so a new path to assets, say through another child table, is followed without a change
    here)."""
    table = type(obj).__table__
    assets = Asset.__table__
    found: list[Any] = []
    level = [(table, select(table.c.id).where(table.c.id == obj.id))]
    while level:
        next_level = []
        for current, ids in level:
            for child, foreign_key in lifecycle.cascade_tables(current):
                (key,) = child.primary_key.columns
                if child is assets:
                    found.append(foreign_key.in_(ids))
                else:
                    next_level.append((child, select(key).where(foreign_key.in_(ids))))
        level = next_level
    return select(Asset.org_id, Asset.id).where(or_(false(), *found))
