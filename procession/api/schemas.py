"""Wire-format building blocks shared by every feature: timestamps, envelopes, pagination."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from starlette.datastructures import URL

from procession.db.repository import PageResult


def format_timestamp(value: datetime) -> str:
    """Tallyfy's timestamp format: ISO 8601, UTC, milliseconds, `Z`."""
    # isoformat, not strftime: a list page formats dozens of these, and it is twice as fast.
    return value.astimezone(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]

T = TypeVar("T")


def is_absent(value: object) -> bool:
    return value is None


Included = Annotated[T | None, Field(exclude_if=is_absent)]
"""A `?with=` extra of a response body: left out of the JSON entirely unless the caller asked
for it (it was set to a value). Declare it `name: Included[X] = None`."""


class WireModel(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(populate_by_name=True)


class Data(BaseModel, Generic[T]):
    """`{"data": ...}`: the envelope of a single object, and of Tallyfy's nested includes."""

    data: T


class Pagination(BaseModel):
    total: int
    count: int
    per_page: int
    current_page: int
    total_pages: int
    links: dict[str, str]


class ListMeta(BaseModel):
    pagination: Pagination


class Listing(BaseModel, Generic[T]):
    """`{"data": [...], "meta": {"pagination": {...}}}`: every paginated list."""

    data: list[T]
    meta: ListMeta

    @classmethod
    def of(cls, result: PageResult[Any], items: list[T], url: URL) -> "Listing[T]":
        """The listing of one page; `links` keep the caller's other query parameters."""
        per_page = result.request.per_page
        current = result.request.page
        total_pages = result.total_pages
        links: dict[str, str] = {}
        if current < total_pages:
            links["next"] = str(url.include_query_params(page=current + 1, per_page=per_page))
        if current > 1:
            previous = str(url.include_query_params(page=current - 1, per_page=per_page))
            links["previous"] = links["prev"] = previous
        pagination = Pagination(
            total=result.total,
            count=len(items),
            per_page=per_page,
            current_page=current,
            total_pages=total_pages,
            links=links,
        )
        return cls(data=items, meta=ListMeta(pagination=pagination))


class ErrorBody(BaseModel):
    """Tallyfy's error shape, used for every 4xx and 5xx answer."""

    error: bool = True
    message: str
    code: str
    errors: dict[str, list[str]] | None = None


def parse_wire_datetime(value: Any) -> Any:
    """Accept Tallyfy's `YYYY-MM-DD HH:MM:SS` (UTC), ISO 8601 with `Z` or an offset, and
    `YYYY-MM-DD`; the result is always an aware UTC datetime."""
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError("must be a date-time like 2026-01-31 17:00:00") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


WireDateTime = Annotated[datetime, BeforeValidator(parse_wire_datetime)]
"""A date-time in a request body."""
