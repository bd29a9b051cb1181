"""Domain errors. Services raise these; the API and the admin pages render them.

No web-framework import here, so the CLI and jobs can use them too.
"""

from typing import ClassVar


class AppError(Exception):
    """Base of every expected error: an HTTP status, a machine code and a human message.

    `errors` maps request field names to their problems (Tallyfy's 422 `errors` object).
    """

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "SERVER_ERROR"

    def __init__(
        self, message: str, *, errors: dict[str, list[str]] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.code = code or self.default_code


class Unauthenticated(AppError):
    status = 401
    default_code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Unauthenticated.") -> None:
        super().__init__(message)


class PermissionDenied(AppError):
    status = 403
    default_code = "FORBIDDEN"


class NotFound(AppError):
    """Missing, or in another organization: the two are indistinguishable on purpose."""

    status = 404
    default_code = "RESOURCE_NOT_FOUND"

    def __init__(self, resource: str = "Resource") -> None:
        super().__init__("Resource not found")
        self.resource = resource


class RuleViolation(AppError):
    """A well-formed request that breaks a rule about one of its fields."""

    status = 422
    default_code = "VALIDATION_ERROR"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem, errors={field: [problem]})

    @classmethod
    def many(cls, errors: dict[str, list[str]]) -> "RuleViolation":
        """One error naming several fields; the message is the first problem."""
        first_field = next(iter(errors))
        error = cls(first_field, errors[first_field][0])
        error.errors = errors
        return error


class InvalidState(AppError):
    """The object's current state forbids the operation (archived, already completed, ...)."""

    status = 422
    default_code = "INVALID_STATE"

    def __init__(self, message: str, *, code: str | None = None, field: str = "status") -> None:
        # Every 422 carries Tallyfy's `errors` map (reference 1.9), state conflicts included.
        super().__init__(message, code=code, errors={field: [message]})
