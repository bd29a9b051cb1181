"""Per-organization rate limits (the `limits` library, moving windows kept in memory).

Counted after authentication, so only an organization's own members spend its budget and
other organizations are never affected. Each worker process keeps its own counters: with
N workers an organization gets up to N times the configured rate.
"""

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from procession.errors import AppError


class RateLimited(AppError):
    status = 429
    default_code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, retry_after: int) -> None:
        super().__init__("You've reached the limit for API requests. Please try again later.")
        self.retry_after = retry_after


class OrgRateLimiter:
    """`check(org_id)` spends one request of the organization's budget or raises
    `RateLimited` with the seconds until the tightest window frees a slot."""

    def __init__(self, rule: str) -> None:
        self.items: list[RateLimitItem] = parse_many(rule) if rule.strip() else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, org_id: str) -> tuple[int, int] | None:
        """(limit, remaining) of the tightest window after this request; None when off."""
        if not self.items:
            return None
        for item in self.items:
            if not self.limiter.hit(item, "org", org_id):
                reset = self.limiter.get_window_stats(item, "org", org_id).reset_time
                raise RateLimited(max(1, math.ceil(reset - time.time())))
        stats = [(i.amount, self.limiter.get_window_stats(i, "org", org_id)) for i in self.items]
        amount, tightest = min(stats, key=lambda pair: pair[1].remaining)
        return amount, tightest.remaining
