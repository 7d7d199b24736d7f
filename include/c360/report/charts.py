"""Inline SVG charts for a self-contained page (no script, no CDN, no plotting library).

Each function returns one ``<svg class="chart">`` scaled by its ``viewBox``; every drawn datum
(bar, point) has ``class="mark"`` and a ``<title>`` tooltip with its exact figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from include.c360.report.formats import figure

WIDTH = 560
ACCENT = "#2563eb"
MUTED = "#94a3b8"
ALERT = "#dc2626"
TEXT = "#334155"
GRID = "#e2e8f0"


def _svg(height: float, body: list[str], label: str) -> str:
    return (f'<svg class="chart" role="img" aria-label="{escape(label)}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="system-ui, sans-serif" font-size="12" fill="{TEXT}">'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _bar(x: float, y: float, w: float, h: float, color: str, tip: str) -> str:
    return (f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{max(w, 1):.1f}" '
            f'height="{max(h, 1):.1f}" rx="2" fill="{color}"><title>{escape(tip)}</title></rect>')


def _empty(label: str) -> str:
    return _svg(60, [_text(WIDTH / 2, 34, "no data", "middle", fill=MUTED)], label)


def hbars(items: Sequence[tuple[str, float]], fmt: str, label: str, share: bool = False,
          color: Callable[[str], str] | None = None,
          aside: Callable[[float], str] | None = None) -> str:
    """Horizontal bars, one per (label, value) in the order given; ``share`` adds each bar's
    share of the total, ``aside`` a grey note per value at the right edge."""
    if not items:
        return _empty(label)
    row, top, label_w, value_w = 26, 6, 150, 220 if aside else 120
    total = sum(v for _, v in items) or 1
    peak = max(abs(v) for _, v in items) or 1
    span = WIDTH - label_w - value_w
    body = []
    for i, (name, value) in enumerate(items):
        y = top + i * row
        shown = figure(value, fmt) + (f"  ({value / total:.1%})" if share else "")
        body.append(_text(label_w - 8, y + 16, name, "end"))
        body.append(_bar(label_w, y + 4, span * abs(value) / peak, row - 8,
                         color(name) if color else ACCENT, f"{name}: {shown}"))
        body.append(_text(label_w + span * abs(value) / peak + 6, y + 16, shown))
        if aside:
            body.append(_text(WIDTH - 8, y + 16, aside(value), "end", fill=MUTED))
    return _svg(top * 2 + row * len(items), body, label)


def columns(items: Sequence[tuple[str, float]], fmt: str, label: str,
            highlight: Callable[[str], bool] = lambda _: False, note: str = "") -> str:
    """Vertical bars over categories in the order given (e.g. a histogram); highlighted ones
    in red, ``note`` under the axis."""
    if not items:
        return _empty(label)
    height, top, bottom, left = 240, 22, 44, 8
    peak = max(v for _, v in items) or 1
    step = (WIDTH - 2 * left) / len(items)
    plot = height - top - bottom
    body = [f'<line x1="{left}" x2="{WIDTH - left}" y1="{top + plot}" y2="{top + plot}" '
            f'stroke="{GRID}"/>']
    for i, (name, value) in enumerate(items):
        h = plot * value / peak
        x = left + i * step
        body.append(_bar(x + 3, top + plot - h, step - 6, h,
                         ALERT if highlight(name) else ACCENT, f"{name}: {figure(value, fmt)}"))
        body.append(_text(x + step / 2, top + plot - h - 5, figure(value, fmt), "middle",
                          font_size="10"))
        body.append(_text(x + step / 2, top + plot + 15, name, "middle", font_size="10"))
    if note:
        body.append(_text(WIDTH / 2, height - 6, note, "middle", fill=MUTED))
    return _svg(height, body, label)


def timeseries(points: Sequence[tuple[date, float]], fmt: str, label: str,
               bars: bool = False, tip: Callable[[date, float], str] | None = None) -> str:
    """A daily series as a line with its area (or bars), y from 0, dated x axis."""
    if not points:
        return _empty(label)
    height, top, bottom, left, right = 240, 16, 30, 64, 12
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for _, v in points]
    lo, hi = min(0.0, min(values)), max(values) or 1
    span = (hi - lo) or 1
    n = len(points)
    step = plot_w / max(n, 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / span

    body = []
    for frac in (0, 0.5, 1):
        v = lo + span * frac
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(_text(left - 6, y(v) + 4, figure(v, fmt), "end", font_size="10"))
    ticks = sorted({0, n // 3, 2 * n // 3, n - 1})
    for i in ticks:
        anchor = "start" if i == 0 else ("end" if i == n - 1 else "middle")
        body.append(_text(x(i), height - 10, points[i][0].strftime("%b %d"), anchor,
                          font_size="10"))
    tips = [tip(d, v) if tip else f"{d.isoformat()}: {figure(v, fmt)}" for d, v in points]
    if bars:
        for i, (_, v) in enumerate(points):
            body.append(_bar(x(i) - step * 0.4, min(y(v), y(0)), step * 0.8, abs(y(v) - y(0)),
                             ALERT, tips[i]))
    else:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
        area = f"{x(0):.1f},{y(0):.1f} {line} {x(n - 1):.1f},{y(0):.1f}"
        body.append(f'<polygon points="{area}" fill="{ACCENT}" fill-opacity="0.12"/>')
        body.append(f'<polyline points="{line}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
        for i, (_, v) in enumerate(points):
            body.append(f'<circle class="mark" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.2" '
                        f'fill="{ACCENT}"><title>{escape(tips[i])}</title></circle>')
    return _svg(height, body, label)


def funnel(stages: Sequence[tuple[str, float]], label: str) -> str:
    """Funnel stages (sends, opens, ...) as bars with each stage's share of the first."""
    if not stages or not stages[0][1]:
        return _empty(label)
    first = stages[0][1]
    return hbars(stages, "integer", label, aside=lambda value: f"{value / first:.1%} of sends")


def paired_bars(rows: Sequence[tuple[str, float | None, float | None]], fmt: str, label: str,
                names: tuple[str, str] = ("model", "baseline")) -> str:
    """Two bars per row (e.g. a model and its baseline on one holdout metric), with a legend."""
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return _empty(label)
    group, top, label_w, value_w = 44, 24, 150, 70
    peak = max(abs(v or 0) for _, a, b in rows for v in (a, b)) or 1
    span = WIDTH - label_w - value_w
    body = [_bar(label_w, 4, 10, 10, ACCENT, names[0]), _text(label_w + 14, 13, names[0]),
            _bar(label_w + 90, 4, 10, 10, MUTED, names[1]), _text(label_w + 104, 13, names[1])]
    for i, (name, a, b) in enumerate(rows):
        y = top + i * group
        body.append(_text(label_w - 8, y + 22, name, "end"))
        for j, (value, color, who) in enumerate(((a, ACCENT, names[0]), (b, MUTED, names[1]))):
            if value is None:
                continue
            w = span * abs(value) / peak
            body.append(_bar(label_w, y + 4 + j * 18, w, 15, color,
                             f"{name}, {who}: {figure(value, fmt)}"))
            body.append(_text(label_w + w + 6, y + 16 + j * 18, figure(value, fmt),
                              font_size="11"))
    return _svg(top + group * len(rows) + 4, body, label)
