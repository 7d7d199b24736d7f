"""How a report shows a figure, by the metric's ``meta.format`` in the semantic layer."""

from __future__ import annotations

FORMATS = ("integer", "currency", "percent", "ratio", "days", "hours", "score", "number")


def figure(value: float | None, fmt: str) -> str:
    """A figure as the scorecard prints it (``None``: no data)."""
    if value is None:
        return "—"
    if fmt == "integer":
        return f"{round(value):,}"
    if fmt == "currency":
        return _money(value)
    if fmt == "percent":
        return f"{value * 100:.1f}%"
    if fmt == "ratio":
        return f"{value:.3f}"
    if fmt == "days":
        return f"{value:,.0f} days"
    if fmt == "hours":
        return f"{value:,.1f} h"
    if fmt == "score":
        return f"{value:.2f} / 5"
    return f"{value:,.2f}"


def change(value: float | None, previous: float | None, fmt: str) -> str:
    """The change from ``previous`` to ``value``: signed, in the figure's unit (percentage
    points for rates), with the relative change for counts and amounts."""
    if value is None or previous is None:
        return "—"
    delta = value - previous
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    if fmt == "percent":
        return f"{sign}{abs(delta) * 100:.2f} pp"
    text = sign + figure(abs(delta), fmt).replace(" / 5", "")
    if fmt in {"integer", "currency"} and previous:
        text += f" ({delta / abs(previous) * 100:+.1f}%)"
    return text


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e9:
        return f"{sign}${v / 1e9:,.2f}B"
    if v >= 1e6:
        return f"{sign}${v / 1e6:,.2f}M"
    if v >= 1e4:
        return f"{sign}${v / 1e3:,.1f}K"
    return f"{sign}${v:,.2f}"
