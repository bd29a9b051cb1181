"""Wire shapes of guests (Tallyfy `Guest`, with its `details` and `stats` objects)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from procession.api.schemas import Included, Timestamp, WireModel
from procession.guests.models import Guest

Short = Annotated[str | None, Field(None, max_length=64)]
Name = Annotated[str | None, Field(None, max_length=200)]
Url = Annotated[str | None, Field(None, max_length=500)]

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone_1",
    "phone_2",
    "company_name",
    "company_url",
    "contact_url",
    "image_url",
    "opportunity_url",
    "opportunity_name",
    "timezone",
    "status",
    "external_sync_source",
    "external_date_creation",
    "associated_members",
)
"""The guest columns a create or an update may set (the request names them the same)."""


class GuestProfile(BaseModel):
    """The fields a guest's profile is written with. `phone` (what the SDK sends) is another
    name for `phone_1`; when both come, `phone_1` wins."""

    model_config = ConfigDict(extra="ignore")

    first_name: Annotated[str | None, Field(None, max_length=64)] = None
    last_name: Annotated[str | None, Field(None, max_length=64)] = None
    phone: Short = None
    phone_1: Short = None
    phone_2: Short = None
    company_name: Name = None
    company_url: Url = None
    contact_url: Url = None
    image_url: Url = None
    opportunity_url: Url = None
    opportunity_name: Name = None
    timezone: Short = None
    status: Short = None
    external_sync_source: Annotated[str | None, Field(None, max_length=100)] = None
    external_date_creation: Short = None
    associated_members: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = None

    @model_validator(mode="after")
    def _phone_is_phone_1(self) -> "GuestProfile":
        if "phone" in self.model_fields_set and "phone_1" not in self.model_fields_set:
            self.phone_1 = self.phone
            self.model_fields_set.add("phone_1")
        return self

    def changes(self) -> dict[str, Any]:
        """The profile fields the request sent (names `""` when sent as null)."""
        sent_names = self.model_fields_set
        sent = {name: getattr(self, name) for name in PROFILE_FIELDS if name in sent_names}
        for name in ("first_name", "last_name"):
            if name in sent and sent[name] is None:
                sent[name] = ""
        if "associated_members" in sent and sent["associated_members"] is None:
            sent["associated_members"] = []
        return sent


class GuestCreate(GuestProfile):
    email: EmailStr = Field(max_length=254)


class GuestUpdate(GuestProfile):
    pass


class GuestDetailsRead(BaseModel):
    first_name: str
    last_name: str
    status: str
    phone_1: str | None
    phone_2: str | None
    image_url: str | None
    contact_url: str | None
    company_url: str | None
    opportunity_url: str | None
    company_name: str | None
    opportunity_name: str | None
    external_sync_source: str | None
    external_date_creation: str | None
    timezone: str | None
    reactivated_at: Timestamp | None
    reactivated_by: int | None
    disabled_at: Timestamp | None
    disabled_by: int | None
    cadence_days: int | None = None
    associated_members: list[int]
    last_city: str | None = None
    last_country: str | None = None
    last_accessed_at: Timestamp | None


class GuestStats(BaseModel):
    assigned_tasks: int = 0
    tasks_completed: int = 0
    last_task_completed_at: Timestamp | None = None
    one_off_tasks_completed: int = 0
    last_one_off_task_completed_at: Timestamp | None = None


class GuestRead(WireModel):
    id: int
    email: str
    first_name: str
    last_name: str
    full_name: str
    link: str
    guest_code: str
    status: str
    last_accessed_at: Timestamp | None
    last_known_ip: str | None = None
    last_known_country: str | None = None
    created_at: Timestamp
    last_updated: Timestamp
    deleted_at: Timestamp | None = None
    details: GuestDetailsRead
    stats: Included[GuestStats] = None

    @classmethod
    def of(cls, guest: Guest, base_url: str, stats: GuestStats | None = None) -> "GuestRead":
        """`base_url`: where the guest's link points (`{base_url}/{org}/guest/{code}`)."""
        status = "disabled" if guest.is_disabled else (guest.status or "active")
        return cls(
            id=guest.id,
            email=guest.email,
            first_name=guest.first_name,
            last_name=guest.last_name,
            full_name=f"{guest.first_name} {guest.last_name}".strip(),
            link=f"{base_url.rstrip('/')}/{guest.org_id}/guest/{guest.code}",
            guest_code=guest.code,
            status=status,
            last_accessed_at=guest.last_accessed_at,
            created_at=guest.created_at,
            last_updated=guest.updated_at,
            details=GuestDetailsRead(
                first_name=guest.first_name,
                last_name=guest.last_name,
                status=status,
                phone_1=guest.phone_1,
                phone_2=guest.phone_2,
                image_url=guest.image_url,
                contact_url=guest.contact_url,
                company_url=guest.company_url,
                opportunity_url=guest.opportunity_url,
                company_name=guest.company_name,
                opportunity_name=guest.opportunity_name,
                external_sync_source=guest.external_sync_source,
                external_date_creation=guest.external_date_creation,
                timezone=guest.timezone,
                reactivated_at=guest.reactivated_at,
                reactivated_by=guest.reactivated_by_id,
                disabled_at=guest.disabled_at,
                disabled_by=guest.disabled_by_id,
                associated_members=list(guest.associated_members or []),
                last_accessed_at=guest.last_accessed_at,
            ),
            stats=stats,
        )
