"""Synthetic source systems: CRM, OMS, payments ledger, clickstream, catalog, marketing
platform and helpdesk exports, written to the landing zone as production lands them.

    python -m include.c360.generator --scale 0.01 --seed 42 --as-of 2026-11-24 --out data/landing
    python -m include.c360.generator --scale 0.01 --seed 42 --as-of 2026-11-24 \\
        --day 2026-11-25 --out data/landing

See README.md in this package for the layout, the dirt table and the ground truth.
"""

from __future__ import annotations

from include.c360.generator.api import (
    GROUND_TRUTH_FILES,
    SourceSummary,
    Summary,
    generate_day,
    generate_days,
    generate_history,
)
from include.c360.generator.config import VOLUMES, GeneratorConfig
from include.c360.generator.dirt import DIRT, Dirt

__all__ = [
    "DIRT",
    "GROUND_TRUTH_FILES",
    "VOLUMES",
    "Dirt",
    "GeneratorConfig",
    "SourceSummary",
    "Summary",
    "generate_day",
    "generate_days",
    "generate_history",
]
