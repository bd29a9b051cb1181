"""Imports every model so the mappers and `Base.metadata` are complete (Alembic, tests)."""

from procession.audit.models import AuditEvent
from procession.auth.models import ApiToken, Membership, User
from procession.automations.models import AutomationRule, RuleFiring
from procession.bulk.models import BulkJob, BulkJobItem
from procession.comments.models import Comment
from procession.db.base import Base
from procession.files.models import Asset
from procession.folders.models import Folder, FolderObject
from procession.groups.models import Group, GroupGuest, GroupMember
from procession.guests.models import Guest
from procession.idempotency.models import IdempotentRequest
from procession.orgs.models import Organization
from procession.processes.models import Process
from procession.retention.models import RetentionPolicy
from procession.tags.models import Tag, Tagging
from procession.tasks.models import Task, TaskField, TaskOwner
from procession.templates.models import Capture, PrerunField, Step, Template
from procession.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Asset",
    "AuditEvent",
    "AutomationRule",
    "Base",
    "BulkJob",
    "BulkJobItem",
    "Capture",
    "Comment",
    "Folder",
    "FolderObject",
    "Group",
    "GroupGuest",
    "GroupMember",
    "Guest",
    "IdempotentRequest",
    "Membership",
    "Organization",
    "PrerunField",
    "Process",
    "RetentionPolicy",
    "RuleFiring",
    "Step",
    "Tag",
    "Tagging",
    "Task",
    "TaskField",
    "TaskOwner",
    "Template",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
