"""What defines a world (``GeneratorConfig``), the spec's volumes and the time units.

Time: days are ints since 1970-01-01, timestamps ints of epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

EPOCH = date(1970, 1, 1)
NEVER = 10**7  # a day number far beyond any horizon
DAY = 86400

# The spec's volumes at scale 1.0 (entities created within the history window).
VOLUMES = {
    "customers": 270_000,
    "orders": 1_200_000,
    "transactions": 5_000_000,
    "events": 8_000_000,
    "products": 5_000,
    "campaigns": 500_000,
    "support_tickets": 50_000,
}

CHURN_DECAY_DAYS = 90  # a churner's activity fades over the last 90 days before the churn date

# UTC hour-of-day profiles (relative weights)
HOURS_ACTIVITY = (0.6, 0.4, 0.3, 0.3, 0.4, 0.7, 1.2, 2.0, 3.0, 3.8, 4.3, 4.6,
                  4.8, 4.9, 4.9, 5.0, 5.1, 5.3, 5.6, 5.8, 5.5, 4.6, 3.2, 1.6)
HOURS_BUSINESS = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 3.5, 4.0,
                  4.2, 4.5, 4.8, 5.0, 5.0, 4.8, 4.5, 4.0, 3.0, 2.0, 1.0, 0.5)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that defines a world. History and increments must use the same values."""

    seed: int = 42
    scale: float = 1.0
    as_of: date = field(default_factory=lambda: date.today() - timedelta(days=1))
    history_days: int = 730
    horizon_days: int = 120  # increments are possible for as_of+1 .. as_of+horizon_days

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 10:
            raise ValueError(f"scale must be in (0, 10], got {self.scale}")
        if self.history_days < 14:
            raise ValueError(f"history_days must be >= 14, got {self.history_days}")
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be >= 1, got {self.horizon_days}")

    @property
    def history_start(self) -> date:
        """First day of the history backfill."""
        return self.as_of - timedelta(days=self.history_days - 1)

    @property
    def last_day(self) -> date:
        """Last day an increment can be generated for."""
        return self.as_of + timedelta(days=self.horizon_days)

    @property
    def start_day(self) -> int:
        return day_number(self.as_of) - self.history_days + 1

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def end_day(self) -> int:
        return self.as_of_day + self.horizon_days

    def volume(self, source: str, minimum: int = 1) -> int:
        return max(minimum, round(VOLUMES[source] * self.scale))
