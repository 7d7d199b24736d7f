"""Run the consumers' deliveries by hand, on the configured target and landing zone:

    python -m include.c360.report scorecard --as-of 2026-11-24   # the KPI scorecard page
    python -m include.c360.report export --as-of 2026-11-24      # high-risk transaction export
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m include.c360.report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("scorecard", "export"))
    parser.add_argument("--as-of", type=date.fromisoformat, required=True,
                        help="the publication's date (the transform's as_of_date)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.what == "scorecard":
        from include.c360.report.scorecard import publish

        out = publish(args.as_of)
        print(f"scorecard: {out['files']['html']}\nlatest:    {out['files']['latest']}")
    else:
        from include.c360.report.export import export_high_risk

        out = export_high_risk(args.as_of)
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
