"""The reports' one way into the warehouse: a templated query of ``include/sql/common/``.

Row-level reads only (the compliance export's rows, the ML registry's metrics): every figure
of the scorecard comes from the semantic layer (``semantic.ask``), not from SQL here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from include.c360.constants import MARTS_SCHEMA, ML_SCHEMA


def read_sql(template: str, **params: Any) -> pd.DataFrame:
    """Rows of ``include/sql/common/<template>`` rendered with ``params`` (SQL literals) and the
    schemas, from the warehouse of the configured target; column names lower case."""
    from include.c360.ingest.sql import render
    from include.c360.warehouse import open_warehouse

    sql = render(f"common/{template}", marts=MARTS_SCHEMA, ml=ML_SCHEMA, **params)
    with open_warehouse() as wh:
        return wh.query_df(sql)
