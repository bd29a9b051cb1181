"""Per-organization rate limits: moving windows kept in memory.

Counted after authentication, so only an organization's own members spend its budget and
other organizations are never affected. Each worker process keeps its own counters: with
N workers an organization gets up to N times the configured rate. An organization that has
been quiet for the longest rule's period is forgotten, so memory follows the organizations
that are active, not every one that ever called.

The rule is parsed by the `limits` library ("6000/minute;100/hour"). The counting is ours:
`limits`' in-memory storage starts a timer thread every 10 ms to expire its entries, which
cost every request about a tenth of a millisecond of thread switches (measured in-process
on get run), several times the counting itself.
"""

import math
import time
from collections import deque
from dataclasses import dataclass

from limits import parse_many

from procession.errors import AppError


class RateLimited(AppError):
    status = 429
    default_code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, retry_after: int) -> None:
        super().__init__("You've reached the limit for API requests. Please try again later.")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Rule:
    amount: int
    seconds: float


class Window:
    """The times of one organization's requests in the last `rule.seconds` (a moving
    window: exact, at most `rule.amount` entries)."""

    __slots__ = ("rule", "times")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.times: deque[float] = deque()

    def slide(self, now: float) -> None:
        while self.times and self.times[0] <= now - self.rule.seconds:
            self.times.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more request fits: when the oldest counted one leaves."""
        return self.times[0] + self.rule.seconds - now


class OrgRateLimiter:
    """`check(org_id)` spends one request of the organization's budget or raises
    `RateLimited` with the seconds until the tightest window frees a slot."""

    def __init__(self, rule: str) -> None:
        items = parse_many(rule) if rule.strip() else []
        self.rules = [Rule(item.amount, item.get_expiry()) for item in items]
        self.windows: dict[tuple[str, Rule], Window] = {}
        self.longest = max((rule.seconds for rule in self.rules), default=0.0)
        self.next_sweep = 0.0

    def check(self, org_id: str, now: float | None = None) -> tuple[int, int] | None:
        """(limit, remaining) of the tightest window after this request; None when off.
        Nothing is spent when any rule refuses. `now` is `time.monotonic()` by default."""
        if not self.rules:
            return None
        now = time.monotonic() if now is None else now
        if now >= self.next_sweep:
            self.forget_idle(now)
        windows = [self.window(org_id, rule) for rule in self.rules]
        for window in windows:
            window.slide(now)
            if len(window.times) >= window.rule.amount:
                raise RateLimited(max(1, math.ceil(window.wait(now))))
        for window in windows:
            window.times.append(now)
        remaining = [(w.rule.amount, w.rule.amount - len(w.times)) for w in windows]
        return min(remaining, key=lambda pair: pair[1])

    def forget_idle(self, now: float) -> None:
        """Drop the windows nothing is counted in any more. Run once per longest period, so
        its cost per request stays constant however many organizations there are."""
        for key, window in list(self.windows.items()):
            window.slide(now)
            if not window.times:
                del self.windows[key]
        self.next_sweep = now + self.longest

    def window(self, org_id: str, rule: Rule) -> Window:
        window = self.windows.get((org_id, rule))
        if window is None:
            window = self.windows[(org_id, rule)] = Window(rule)
        return window
