"""The spec's model catalog (``catalog.yml``, copied verbatim from the spec) as Python objects.

The catalog is the contract: model names, layers, column names and types. What needs a
column list reads it here: the source registry (the RAW columns, hence the generator and the
loaders) and the tests holding the dbt project's contracts to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("catalog.yml")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # varchar | int | float | boolean | date | timestamp (the spec's logical types)
    description: str
    is_kpi: bool = False
    is_pii: bool = False  # a person's personal data: masked in Snowflake, erased on request


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # staging | intermediate | mart
    columns: tuple[Column, ...]


@cache
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Model]:
    """Every model of the catalog by name, in the catalog's order."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        m["name"]: Model(
            name=m["name"],
            layer=m["layer"],
            columns=tuple(
                Column(name=c["name"], type=c["type"], description=c.get("description", ""),
                       is_kpi=bool(c.get("kpi", False)), is_pii=bool(c.get("pii", False)))
                for c in m["columns"]
            ),
        )
        for m in doc["models"]
    }


def model(name: str) -> Model:
    return load_catalog()[name]


def pii_columns(name: str) -> tuple[str, ...]:
    """The columns of catalog model ``name`` marked ``pii: true``."""
    return tuple(c.name for c in model(name).columns if c.is_pii)
