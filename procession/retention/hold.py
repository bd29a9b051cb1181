"""Legal holds on processes and templates: while one is on, nothing permanently deletes the
object, not an admin by hand, not a bulk job, not retention. (A process's tasks can only be
permanently deleted with their process, so the hold covers them too.)"""

from procession.db.base import LegalHoldMixin, LifecycleMixin
from procession.db.types import utcnow
from procession.errors import InvalidState


def is_held(obj: LifecycleMixin) -> bool:
    return isinstance(obj, LegalHoldMixin) and obj.is_on_hold


def ensure_not_held(obj: LifecycleMixin, kind: str) -> None:
    """`InvalidState` (422, code LEGAL_HOLD) if `obj` is on legal hold."""
    if isinstance(obj, LegalHoldMixin) and obj.is_on_hold:
        reason = f" ({obj.legal_hold_reason})" if obj.legal_hold_reason else ""
        raise InvalidState(
            f"This {kind} is on legal hold{reason} and cannot be permanently deleted. "
            "An admin must lift the hold first.",
            code="LEGAL_HOLD",
        )


def place_hold(obj: LegalHoldMixin, user_id: int | None, reason: str | None) -> bool:
    """Put `obj` on hold; returns False (and changes nothing) if it already was."""
    if obj.is_on_hold:
        return False
    obj.legal_hold_at, obj.legal_hold_by_id, obj.legal_hold_reason = utcnow(), user_id, reason
    return True


def lift_hold(obj: LegalHoldMixin) -> bool:
    """Lift the hold on `obj`; returns False if there was none."""
    if not obj.is_on_hold:
        return False
    obj.legal_hold_at = obj.legal_hold_by_id = obj.legal_hold_reason = None
    return True
