"""The spec's model catalog (``catalog.yml``, copied verbatim from the spec) as Python objects.

The catalog is the contract: model names, grains, column names and types. Everything
that needs a column list (the generator, RAW tables, dbt contract checks) reads it here.
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
    key: str | None  # PK | FK | None
    description: str
    is_kpi: bool = False


@dataclass(frozen=True)
class Model:
    name: str
    layer: str  # staging | intermediate | mart
    title: str
    columns: tuple[Column, ...]
    source_table: str | None
    freshness: dict | None
    grain: str | None
    raw: dict

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


@cache
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Model]:
    """Every model of the catalog by name, in the catalog's order."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    models: dict[str, Model] = {}
    for m in doc["models"]:
        cols = tuple(
            Column(
                name=c["name"],
                type=c["type"],
                key=c.get("key"),
                description=c.get("description", ""),
                is_kpi=bool(c.get("kpi", False)),
            )
            for c in m["columns"]
        )
        models[m["name"]] = Model(
            name=m["name"],
            layer=m["layer"],
            title=m.get("title", ""),
            columns=cols,
            source_table=m.get("source_table"),
            freshness=m.get("freshness"),
            grain=m.get("grain"),
            raw=m,
        )
    return models


def model(name: str) -> Model:
    return load_catalog()[name]
