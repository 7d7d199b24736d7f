"""When the transform runs and by when it must be done: once the daily sources are loaded (or
at the fallback cron at the latest), published by its deadline."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset

from include.c360.assets import raw_assets
from include.c360.sources import SOURCES, Source

# After the daily 02:00 sources (customers, orders, campaigns, support_tickets) have loaded.
FALLBACK_CRON = "30 2 * * *"
DAILY_SOURCE_CRON = "0 2 * * *"


def daily_sources() -> list[Source]:
    """The sources loaded daily at 02:00: all of them loaded -> a transform run.

    The 15-minute (transactions) and hourly (events) loads do not trigger it; the run reads
    whatever they loaded so far. Weekly products does not either (the cron fallback covers it).
    """
    return [s for s in SOURCES if s.cron == DAILY_SOURCE_CRON]


def daily_source_assets() -> list[Asset]:
    """The RAW Assets of the daily sources."""
    assets = raw_assets()
    return [assets[s.name] for s in daily_sources()]


def schedule() -> Any:
    from airflow.sdk import AssetAll, AssetOrTimeSchedule, CronTriggerTimetable

    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(FALLBACK_CRON, timezone="UTC"),
        assets=AssetAll(*daily_source_assets()),
    )


def deadline() -> Any:
    """The run must have published the Customer 360 by ``c360_transform_deadline_utc``."""
    from include.c360.alerts.deadlines import transform_deadline

    return transform_deadline(daily_sources())
