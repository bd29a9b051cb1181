"""Retention policy, retention runs and legal holds."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from procession.api.deps import DbSession
from procession.api.schemas import Data
from procession.auth.deps import Caller
from procession.retention import service as retention_service
from procession.retention.models import RetentionPolicy
from procession.retention.schemas import (
    LegalHoldRead,
    LegalHoldWrite,
    RetentionPolicyRead,
    RetentionPolicyWrite,
    RetentionReportRead,
)
from procession.retention.service import HoldKind

router = APIRouter(prefix="/organizations/{org}", tags=["retention"])


def policy_read(policy: RetentionPolicy) -> Data[RetentionPolicyRead]:
    return Data(
        data=RetentionPolicyRead(
            archive_completed_after_days=policy.archive_completed_after_days,
            purge_archived_after_days=policy.purge_archived_after_days,
            updated_at=policy.updated_at,
            updated_by=policy.updated_by_id,
        )
    )


@router.get("/retention")
async def get_retention(caller: Caller, session: DbSession) -> Data[RetentionPolicyRead]:
    """The organization's retention policy (admins only). Both windows are off by default."""
    return policy_read(await retention_service.read_policy(session, caller))


@router.put("/retention")
async def put_retention(
    caller: Caller, session: DbSession, body: RetentionPolicyWrite
) -> Data[RetentionPolicyRead]:
    """Replace the retention policy (admins only). Null or missing turns a window off."""
    return policy_read(await retention_service.set_policy(session, caller, body))


@router.post("/retention/run")
async def run_retention(
    caller: Caller,
    session: DbSession,
    dry_run: Annotated[bool, Query(description="Report what would happen; change nothing")] = False,
) -> Data[RetentionReportRead]:
    """Apply the policy now (admins only), or with `dry_run` report exactly what it would do."""
    report = await retention_service.run_now(session, caller, dry_run=dry_run)
    return Data(data=RetentionReportRead.model_validate(report, from_attributes=True))


def hold_routes(collection: str, kind: HoldKind) -> None:
    """GET, PUT and DELETE of `<collection>/{<kind>_id}/legal-hold`."""
    id_name = f"{kind}_id"
    path = f"{collection}/{{{id_name}}}/legal-hold"
    ObjectId = Annotated[str, Path(alias=id_name)]

    @router.get(path, name=f"get_{kind}_legal_hold")
    async def get_hold(
        caller: Caller, session: DbSession, object_id: ObjectId
    ) -> Data[LegalHoldRead]:
        obj = await retention_service.holdable(session, caller, kind, object_id)
        return Data(data=LegalHoldRead.of(kind, obj))

    @router.put(path, name=f"place_{kind}_legal_hold")
    async def place_hold(
        caller: Caller, session: DbSession, object_id: ObjectId, body: LegalHoldWrite
    ) -> Data[LegalHoldRead]:
        """Admins only. While held, nothing permanently deletes it (422 LEGAL_HOLD)."""
        obj = await retention_service.holdable(session, caller, kind, object_id)
        await retention_service.place_legal_hold(session, caller, obj, body.reason)
        return Data(data=LegalHoldRead.of(kind, obj))

    @router.delete(path, name=f"lift_{kind}_legal_hold")
    async def lift_hold(
        caller: Caller, session: DbSession, object_id: ObjectId
    ) -> Data[LegalHoldRead]:
        """Admins only."""
        obj = await retention_service.holdable(session, caller, kind, object_id)
        await retention_service.lift_legal_hold(session, caller, obj)
        return Data(data=LegalHoldRead.of(kind, obj))


hold_routes("/runs", "process")
hold_routes("/checklists", "template")
