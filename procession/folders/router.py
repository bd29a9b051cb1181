"""Folder routes and filing objects in folders (reference 3.14)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from procession.api.deps import DbSession, Page, With
from procession.api.schemas import Data, Listing
from procession.auth.deps import Caller
from procession.db.repository import PageRequest
from procession.folders import service as folder_service
from procession.folders.schemas import (
    FolderCreate,
    FolderObjectCreate,
    FolderObjectRead,
    FolderRead,
    FolderType,
    FolderUpdate,
)

router = APIRouter(prefix="/organizations/{org}", tags=["folders"])

# `pagination=false` answers every folder in one page, up to this many.
UNPAGINATED_LIMIT = 10_000


@router.get("/folders")
async def list_folders(
    caller: Caller,
    session: DbSession,
    page: Page,
    includes: With,
    request: Request,
    folder_type: FolderType = "checklist",
    q: Annotated[str | None, Query(description="Name contains, at any depth")] = None,
    parent_id: Annotated[str | None, Query(description="List this folder's children")] = None,
    sort: Literal["position", "name", "-name", "created_at"] = "position",
    pagination: Annotated[bool, Query(description="false: every folder in one page")] = True,
) -> Listing[FolderRead]:
    """The top level of the folder tree of one type; `with=children` nests each folder's
    subfolders under `children`."""
    if not pagination:
        page = PageRequest(page=1, per_page=UNPAGINATED_LIMIT)
    result = await folder_service.list_folders(
        session,
        caller,
        page=page,
        folder_type=folder_type,
        query=q,
        parent_id=parent_id,
        sort=sort,
    )
    items = await folder_service.describe_folders(
        session, caller, result.items, children="children" in includes
    )
    return Listing.of(result, items, request.url)


async def one(
    session: DbSession, caller: Caller, folder_id: str, includes: frozenset[str]
) -> Data[FolderRead]:
    folder = await folder_service.get_folder(session, caller, folder_id)
    views = await folder_service.describe_folders(
        session, caller, [folder], children="children" in includes
    )
    return Data(data=views[0])


@router.post("/folders", status_code=201)
async def create_folder(body: FolderCreate, caller: Caller, session: DbSession) -> Data[FolderRead]:
    folder = await folder_service.create_folder(session, caller, body)
    return await one(session, caller, folder.id, frozenset())


@router.post("/folders/add-object")
async def add_object_to_folder(
    body: FolderObjectCreate, caller: Caller, session: DbSession
) -> Data[FolderObjectRead]:
    """File a run (`Run`) or task (`Task`) in a run folder. Templates are filed with
    `PUT /checklists/{id}` and `folder_id` (422 here)."""
    relation, folder = await folder_service.add_object(session, caller, body)
    return Data(data=FolderObjectRead.of(relation, folder))


@router.get("/folders/{folder_id}")
async def get_folder(
    folder_id: str, caller: Caller, session: DbSession, includes: With
) -> Data[FolderRead]:
    return await one(session, caller, folder_id, includes)


@router.put("/folders/{folder_id}")
async def update_folder(
    folder_id: str, body: FolderUpdate, caller: Caller, session: DbSession
) -> Data[FolderRead]:
    """Rename, move (`parent_id`; null for the top level) or reorder a folder."""
    await folder_service.update_folder(session, caller, folder_id, body)
    return await one(session, caller, folder_id, frozenset())


@router.delete("/folders/{folder_id}", status_code=204)
async def delete_folder(folder_id: str, caller: Caller, session: DbSession) -> Response:
    """Delete a folder. Its contents are un-filed, not deleted; its subfolders move to the
    top level."""
    await folder_service.delete_folder(session, caller, folder_id)
    return Response(status_code=204)


@router.delete("/folders-objects/{folder_object_id}", status_code=204)
async def remove_object_from_folder(
    folder_object_id: int, caller: Caller, session: DbSession
) -> Response:
    """Un-file one object, by the integer relation id `add-object` answered."""
    await folder_service.remove_object(session, caller, folder_object_id)
    return Response(status_code=204)
