"""Wire shapes of comments (Tallyfy "threads")."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from procession.api.schemas import Timestamp, WireModel
from procession.comments.models import Comment

Label = Literal["comment", "problem", "resolve", "improvement", "advice"]
State = Literal["open", "hide-for-guests", "collapsed"]


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=20_000)
    state: State = "open"
    label: Label = "comment"
    sent_to: list[int] = []


class IssueReport(BaseModel):
    """`POST /tasks/{task}/problem`: the issue's description."""

    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=20_000)


class IssueResolution(BaseModel):
    """`POST /tasks/{task}/resolved-threads`: which issue, and the resolving comment."""

    model_config = ConfigDict(extra="ignore")

    thread_id: str = Field(min_length=1, max_length=64)
    content: str = Field("Resolved", min_length=1, max_length=20_000)
    state: State = "open"


class CommentUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str | None = Field(None, min_length=1, max_length=20_000)
    state: State | None = None
    label: Label | None = None
    sent_to: list[int] | None = None


class CommentRead(WireModel):
    id: str
    task_id: str
    content: str
    author_id: int | None
    author_type: str = "member"
    label: str
    state: str
    sent_to: list[int]
    resolve_id: str | None
    created_at: Timestamp
    updated_at: Timestamp
    archived_at: Timestamp | None

    @classmethod
    def of(cls, comment: Comment) -> "CommentRead":
        return cls(
            id=comment.id,
            task_id=comment.task_id,
            content=comment.content,
            author_id=comment.author_id,
            label=comment.label,
            state=comment.state,
            sent_to=comment.sent_to,
            resolve_id=comment.resolve_id,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            archived_at=comment.archived_at,
        )
