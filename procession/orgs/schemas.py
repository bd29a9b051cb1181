"""Wire shapes of organizations and members (Tallyfy `Organization`, `User`)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from procession.api.schemas import Data, Included, Timestamp, WireModel
from procession.auth.models import Membership, User
from procession.orgs.models import Organization


class GroupBrief(WireModel):
    """A group a member belongs to, in the users' `with=groups` include."""

    id: str
    name: str


class UserRead(WireModel):
    id: int
    email: str
    username: str
    first_name: str
    last_name: str
    full_name: str
    role: str
    status: str
    active: bool
    is_active: bool
    timezone: str
    profile_pic: str | None = None
    phone: str | None = None
    job_title: str | None = None
    created_at: Timestamp
    last_updated: Timestamp
    updated_at: Timestamp
    disabled_at: Timestamp | None = None
    disabled_by: int | None = None
    reactivated_at: Timestamp | None = None
    reactivated_by: int | None = None
    approved_at: Timestamp | None = None
    invited_by: int | None = None
    groups: Included[Data[list[GroupBrief]]] = None

    @classmethod
    def of(cls, user: User, membership: Membership | None = None, role: str = "") -> "UserRead":
        status = membership.status if membership else "active"
        m = membership
        return cls(
            id=user.id,
            email=user.email,
            username=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            full_name=user.full_name,
            role=membership.role if membership else role,
            status=status,
            active=status == "active",
            is_active=status == "active",
            timezone=user.timezone,
            created_at=user.created_at,
            last_updated=user.updated_at,
            updated_at=user.updated_at,
            disabled_at=m.disabled_at if m else None,
            disabled_by=m.disabled_by_id if m else None,
            reactivated_at=m.reactivated_at if m else None,
            reactivated_by=m.reactivated_by_id if m else None,
            approved_at=m.approved_at if m else None,
            invited_by=m.invited_by_id if m else None,
        )


RoleName = Literal["admin", "standard", "light"]
PersonName = Annotated[str, Field(min_length=1, max_length=32)]


class MemberInvite(BaseModel):
    """`POST users/invite`. The message is accepted and not sent: Procession sends no mail."""

    model_config = ConfigDict(extra="ignore")

    email: EmailStr = Field(max_length=254)
    first_name: PersonName
    last_name: PersonName
    role: RoleName = "light"
    message: Annotated[str, Field(max_length=5000)] | None = None


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: RoleName


class OrganizationRead(WireModel):
    id: str
    name: str
    user_role: str | None = None
    created_on: Timestamp
    last_updated: Timestamp
    in_trial: bool = False
    analytics_enabled: bool = False
    limit_trial_features: bool = False
    real_time_billing: bool = False
    saml_enabled: bool = False
    auto_join_signups: bool = False
    allow_user_invite: bool = True
    allow_manage_groups: bool = True
    auto_archive: bool = False
    auto_complete_tasks: bool = False
    use_generative_ai: bool = False
    auto_complete_task_months: int = 18
    webhook_date_field_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    timezone: str = "UTC"

    @classmethod
    def of(cls, org: Organization, role: str | None) -> "OrganizationRead":
        return cls(
            id=org.id,
            name=org.name,
            user_role=role,
            created_on=org.created_at,
            last_updated=org.updated_at,
        )
