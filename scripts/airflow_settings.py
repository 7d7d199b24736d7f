"""Apply ``airflow_settings.yaml`` (the Astro CLI's local settings file) to the metadata DB.

``astro dev start`` reads the same file inside Docker; this does it for the local, Docker-free
Airflow. Connections are replaced, pools and variables created or updated: re-running is safe.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def load(path: str | Path) -> dict:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    section = doc.get("airflow") or {}
    return {
        "connections": [c for c in section.get("connections") or [] if c.get("conn_id")],
        "pools": [p for p in section.get("pools") or [] if p.get("pool_name")],
        "variables": [v for v in section.get("variables") or [] if v.get("variable_name")],
    }


def apply(path: str | Path) -> None:
    # Writing metadata rows (not task-time access), so the ORM models are the right API here.
    from airflow.models import Connection, Pool, Variable
    from airflow.utils.session import create_session

    settings = load(path)
    with create_session() as session:
        for c in settings["connections"]:
            session.query(Connection).filter(Connection.conn_id  # noqa: AIR311
                 == c["conn_id"]).delete()
            extra = c.get("conn_extra")
            session.add(
                Connection(  # noqa: AIR311
                    conn_id=c["conn_id"],
                    conn_type=c.get("conn_type"),
                    host=c.get("conn_host"),
                    schema=c.get("conn_schema"),
                    login=c.get("conn_login"),
                    password=c.get("conn_password"),
                    port=c.get("conn_port"),
                    extra=json.dumps(extra) if isinstance(extra, dict) else extra,
                )
            )
        session.flush()
        for p in settings["pools"]:
            Pool.create_or_update_pool(
                name=p["pool_name"],
                slots=int(p["pool_slot"]),
                description=p.get("pool_description") or "",
                include_deferred=False,
                session=session,
            )
    for v in settings["variables"]:
        Variable.set(v["variable_name"]  # noqa: AIR311
                    , v.get("variable_value"))
    print(
        f"applied {len(settings['connections'])} connections, {len(settings['pools'])} pools, "
        f"{len(settings['variables'])} variables from {path}"
    )


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "airflow_settings.yaml"
    apply(sys.argv[1] if len(sys.argv) > 1 else default)
