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
    """(org id, asset id) of every asset a purge of `obj` deletes, to be run with `obj`'s id
    as `lifecycle.OBJECT_ID`: those `lifecycle.cascade_reach` finds (so a new path to assets,
    say through another child table, is followed without a change here)."""
    assets = Asset.__table__
    reach = lifecycle.cascade_reach(type(obj).__table__)
    found = [criterion for table, criterion in reach if table is assets]
    return select(Asset.org_id, Asset.id).where(or_(false(), *found))
