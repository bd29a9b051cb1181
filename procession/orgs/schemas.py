"""Wire shapes of organizations and members (Tallyfy `Organization`, `User`)."""

from procession.api.schemas import Timestamp, WireModel
from procession.auth.models import Membership, User
from procession.orgs.models import Organization


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

    @classmethod
    def of(cls, user: User, membership: Membership | None = None, role: str = "") -> "UserRead":
        status = membership.status if membership else "active"
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
        )


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
