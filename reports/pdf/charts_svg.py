"""Static SVG of the dashboard's plotly figure dicts, for the PDF (no browser involved).

reports/charts.py builds small plotly figures ({"data": [...], "layout": {...}}); the dashboard
draws them with plotly.js. The PDF draws the very same dicts here: scatter lines (dash, width,
markers, step shape), bars (grouped, stacked or floating on a base, on a category or date axis)
and heatmaps, with their axes, tick prefixes/suffixes and a legend. Why not plotly's own static
export (kaleido + Chromium): see docs/architecture.md, "PDF charts". Each SVG is cached by the
SHA-256 of the figure's JSON, so a frozen round's charts are drawn once.

The result is embedded as <img src="data:image/svg+xml;base64,..." alt="...">: WeasyPrint
keeps an <img>'s alt text in the tagged PDF, and loses an inline <svg>'s label.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string

FONT_FAMILY = "SV Sans"  # the @font-face family in static/css/pdf.css (DejaVu Sans, shipped)
FONT_SIZE = 12
CACHE_PREFIX = "pdf-chart-svg:v1:"
CACHE_SECONDS = 7 * 24 * 3600
DASHES = {
    "solid": "",
    "dot": "2,3",
    "dash": "8,4",
    "longdash": "14,5",
    "dashdot": "8,3,2,3",
    "longdashdot": "14,4,2,4",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SUPPORTED = ("scatter", "bar", "heatmap")
BAR_MAX_WIDTH = 48


class UnsupportedFigure(ValueError):
    """The figure uses a trace type this renderer does not draw."""


# --- small helpers ---------------------------------------------------------------------------


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    # DejaVu Sans averages about 0.6 em a character; enough to lay out labels and legends.
    return len(text) * size * 0.6


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _format_number(value: float, step: float, *, thousands: bool) -> str:
    places = 0 if step >= 1 else min(4, math.ceil(-math.log10(step) - 1e-9))
    if abs(value) < step / 1e6:
        value = 0.0
    return f"{value:,.{places}f}" if thousands else f"{value:.{places}f}"


def _as_date(value) -> dt.date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _date_label(day: dt.date, tickformat: str | None) -> str:
    if tickformat == "%b %y":
        return f"{MONTHS[day.month - 1]} {day:%y}"
    return f"{MONTHS[day.month - 1]} {day.year}"


def _colour_at(scale: list, fraction: float) -> str:
    """Interpolate a plotly colourscale [[0, "#rrggbb"], ...] at 0..1."""
    fraction = min(1.0, max(0.0, fraction))
    for (start, low), (end, high) in itertools.pairwise(scale):
        if start <= fraction <= end:
            t = 0 if end == start else (fraction - start) / (end - start)
            a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
            b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
            return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))
    return scale[-1][1]


@dataclass
class _Canvas:
    """The primitives the SVG template draws."""

    width: float
    height: float
    title: str
    rects: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    paths: list = field(default_factory=list)
    circles: list = field(default_factory=list)
    texts: list = field(default_factory=list)

    def text(self, x, y, content, *, anchor="middle", size=FONT_SIZE, weight="normal", rotate=0):
        self.texts.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "content": content,
                "anchor": anchor,
                "size": size,
                "weight": weight,
                "rotate": rotate,
            }
        )


# --- axes ------------------------------------------------------------------------------------


@dataclass
class _ValueAxis:
    low: float
    high: float
    ticks: list[tuple[float, str]]


def _value_axis(values: list[float], axis: dict, *, include_zero: bool) -> _ValueAxis:
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if include_zero or axis.get("rangemode") == "tozero":
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high, low = high + 1, low - (1 if low != 0 else 0)
    step = float(axis["dtick"]) if axis.get("dtick") else _nice_step(high - low, 5)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    prefix, suffix = axis.get("tickprefix", ""), axis.get("ticksuffix", "")
    thousands = axis.get("separatethousands", True)
    count = round((high - low) / step)
    ticks = []
    for i in range(count + 1):
        value = low + i * step
        number = _format_number(value, step, thousands=thousands)
        sign = ""
        if number.startswith("-"):
            sign, number = "-", number[1:]
        ticks.append((value, f"{sign}{prefix}{number}{suffix}"))
    return _ValueAxis(low, high, ticks)


@dataclass
class _CategoryAxis:
    """Positions along x, as fractions 0..1 of the plot width, with the tick labels."""

    positions: dict
    ticks: list[tuple[float, str]]
    slot: float  # width of one category (or the smallest gap between dates), as a fraction


def _x_axis(traces: list[dict], axis: dict, plot_width: float) -> _CategoryAxis:
    xs = []
    for trace in traces:
        for x in trace.get("x", []):
            if x not in xs:
                xs.append(x)
    dates = [_as_date(x) for x in xs]
    if xs and (axis.get("type") == "date" or all(dates)) and all(dates):
        return _date_axis(xs, dates, axis, plot_width)
    count = max(len(xs), 1)
    positions = {x: (i + 0.5) / count for i, x in enumerate(xs)}
    # Show every k-th label when they would collide.
    widest = max((_text_width(str(x), FONT_SIZE - 1) for x in xs), default=0)
    every = max(1, math.ceil(count * (widest + 8) / max(plot_width, 1)))
    ticks = [(positions[x], str(x)) for i, x in enumerate(xs) if i % every == 0]
    return _CategoryAxis(positions, ticks, 1 / count)


def _date_axis(xs, dates, axis, plot_width) -> _CategoryAxis:
    ordinals = sorted({d.toordinal() for d in dates})
    first, last = ordinals[0], ordinals[-1]
    gaps = [b - a for a, b in itertools.pairwise(ordinals)]
    pad = (min(gaps) if gaps else 30) / 2
    span = (last - first) + 2 * pad

    def where(day: dt.date) -> float:
        return (day.toordinal() - first + pad) / span

    positions = {x: where(d) for x, d in zip(xs, dates, strict=True)}
    label = _date_label(dt.date.fromordinal(first), axis.get("tickformat"))
    fit = max(1, int(plot_width // (_text_width(label, FONT_SIZE - 1) + 12)))
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months <= 1:
        # Within one month: label each date itself.
        ticks = [
            (where(d), f"{d.day} {_date_label(d, axis.get('tickformat'))}")
            for d in sorted(set(dates))
        ]
        return _CategoryAxis(positions, ticks, (min(gaps) if gaps else 30) / span)
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= fit), 120)
    ticks = []
    index = start.year * 12 + start.month - 1
    if start.day != 1:
        index += 1
    while index <= end.year * 12 + end.month - 1:
        day = dt.date(index // 12, index % 12 + 1, 1)
        if (day.month - 1) % step == 0 or step == 1:
            ticks.append((where(day), _date_label(day, axis.get("tickformat"))))
        index += 1
    return _CategoryAxis(positions, ticks, (min(gaps) if gaps else 30) / span)


# --- drawing ---------------------------------------------------------------------------------


def _legend_items(traces: list[dict]) -> list[dict]:
    items = []
    for trace in traces:
        if trace.get("type", "scatter") == "heatmap" or not trace.get("name"):
            continue
        if trace.get("showlegend") is False:
            continue
        if trace.get("type") == "bar":
            colour = trace.get("marker", {}).get("color", "#1d70b8")
            items.append(
                {
                    "name": trace["name"],
                    "kind": "bar",
                    "colour": colour,
                    "dash": "",
                    "opacity": trace.get("opacity", 1),
                }
            )
        else:
            line = trace.get("line", {})
            items.append(
                {
                    "name": trace["name"],
                    "kind": "line",
                    "colour": line.get("color") or trace.get("marker", {}).get("color", "#1d70b8"),
                    "dash": DASHES.get(line.get("dash", "solid"), ""),
                    "width": line.get("width", 2),
                }
            )
    return items


def _layout_legend(items, width) -> tuple[list[tuple[float, float, dict]], float]:
    placed, x, row = [], 0.0, 0
    row_height = FONT_SIZE + 8
    for item in items:
        item_width = 28 + _text_width(item["name"]) + 18
        if x and x + item_width > width:
            x, row = 0.0, row + 1
        placed.append((x, row * row_height, item))
        x += item_width
    return placed, (row + 1) * row_height if items else 0


def _draw_legend(canvas, placed, left, top):
    for x, y, item in placed:
        cx, cy = left + x, top + y + FONT_SIZE / 2
        if item["kind"] == "bar":
            canvas.rects.append(
                {
                    "x": cx,
                    "y": cy - 6,
                    "w": 20,
                    "h": 12,
                    "fill": item["colour"],
                    "opacity": item["opacity"],
                    "cls": "swatch",
                }
            )
        else:
            canvas.lines.append(
                {
                    "x1": cx,
                    "y1": cy,
                    "x2": cx + 22,
                    "y2": cy,
                    "colour": item["colour"],
                    "width": max(2, item.get("width", 2)),
                    "dash": item["dash"],
                }
            )
        canvas.text(cx + 28, cy + FONT_SIZE * 0.35, item["name"], anchor="start")


def _bar_geometry(traces, layout):
    """Each bar's (trace index, x, base, top): grouped side by side, or stacked."""
    mode = layout.get("barmode", "group")
    bars = [i for i, t in enumerate(traces) if t.get("type") == "bar"]
    stacks: dict = {}
    out = []
    for order, i in enumerate(bars):
        trace = traces[i]
        # A bar may float on a base of its own (plotly's `base`), as the mitigation chart's do.
        bases = trace.get("base") or []
        for k, (x, y) in enumerate(zip(trace.get("x", []), trace.get("y", []), strict=False)):
            # A zero bar draws nothing, as in plotly.
            if y is None or y == 0:
                continue
            if k < len(bases) and bases[k] is not None:
                out.append((i, order, x, float(bases[k]), float(bases[k]) + float(y)))
            elif mode in ("stack", "relative"):
                below, above = stacks.get(x, (0.0, 0.0))
                if y >= 0:
                    out.append((i, order, x, above, above + y))
                    stacks[x] = (below, above + y)
                else:
                    out.append((i, order, x, below, below + y))
                    stacks[x] = (below + y, above)
            else:
                out.append((i, order, x, 0.0, float(y)))
    return out, len(bars), mode


def _draw_cartesian(canvas, traces, layout, legend_placed, legend_height):
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    bars, bar_count, barmode = _bar_geometry(traces, layout)
    values = [v for t in traces if t.get("type") != "bar" for v in t.get("y", []) if v is not None]
    values += [b[3] for b in bars] + [b[4] for b in bars]
    y = _value_axis([float(v) for v in values], yaxis, include_zero=bool(bars))
    y_title = yaxis.get("title", {}).get("text", "")
    x_title = xaxis.get("title", {}).get("text", "")
    tick_width = max((_text_width(label) for _, label in y.ticks), default=20)
    left = tick_width + 14 + (FONT_SIZE + 8 if y_title else 0)
    right = 16
    top = 10
    plot_width = canvas.width - left - right
    x = _x_axis(traces, xaxis, plot_width)
    widest_x = max((_text_width(label, FONT_SIZE - 1) for _, label in x.ticks), default=0)
    spacing = plot_width * (x.ticks[1][0] - x.ticks[0][0]) if len(x.ticks) > 1 else plot_width
    rotate = widest_x + 6 > spacing
    x_label_height = (widest_x * 0.72 + 10) if rotate else FONT_SIZE + 8
    bottom = x_label_height + (FONT_SIZE + 8 if x_title else 0) + 10 + legend_height
    plot_height = canvas.height - top - bottom
    if plot_height < 60:
        canvas.height += 60 - plot_height
        plot_height = 60

    def px(fraction):
        return left + fraction * plot_width

    def py(value):
        return top + plot_height * (1 - (value - y.low) / (y.high - y.low))

    # Gridlines and y labels; the zero line darker.
    for value, label in y.ticks:
        colour = "#505a5f" if value == 0 and y.low < 0 else "#dddddd"
        canvas.lines.append(
            {
                "x1": left,
                "y1": py(value),
                "x2": left + plot_width,
                "y2": py(value),
                "colour": colour,
                "width": 1,
                "dash": "",
            }
        )
        canvas.text(left - 6, py(value) + FONT_SIZE * 0.35, label, anchor="end")
    canvas.lines.append(
        {
            "x1": left,
            "y1": top + plot_height,
            "x2": left + plot_width,
            "y2": top + plot_height,
            "colour": "#0b0c0c",
            "width": 1,
            "dash": "",
        }
    )
    for fraction, label in x.ticks:
        if rotate:
            canvas.text(
                px(fraction) + 4,
                top + plot_height + 12,
                label,
                anchor="end",
                size=FONT_SIZE - 1,
                rotate=-45,
            )
        else:
            canvas.text(px(fraction), top + plot_height + FONT_SIZE + 4, label, size=FONT_SIZE - 1)
    if y_title:
        canvas.text(
            FONT_SIZE, top + plot_height / 2, y_title, rotate=-90, size=FONT_SIZE, weight="bold"
        )
    if x_title:
        canvas.text(
            left + plot_width / 2,
            top + plot_height + x_label_height + FONT_SIZE + 2,
            x_title,
            weight="bold",
        )
    # Bars.
    # Bars fill most of their slot, but a lone or sparse bar is not drawn as a wall.
    slot = min(x.slot * plot_width * 0.8, BAR_MAX_WIDTH * max(bar_count, 1))
    grouped = barmode not in ("stack", "relative", "overlay") and bar_count > 1
    width = slot / bar_count if grouped else slot
    for i, order, xv, base, topv in bars:
        trace = traces[i]
        centre = px(x.positions[xv])
        offset = (order - (bar_count - 1) / 2) * width if grouped else 0
        y1, y2 = sorted((py(base), py(topv)))
        canvas.rects.append(
            {
                "x": round(centre + offset - width / 2, 2),
                "y": round(y1, 2),
                "w": round(max(width, 1), 2),
                "h": round(max(y2 - y1, 0.5), 2),
                "fill": trace.get("marker", {}).get("color", "#1d70b8"),
                "opacity": trace.get("opacity", 1),
                "cls": "bar",
            }
        )
    # Lines, broken at gaps, with markers when asked.
    for trace in traces:
        if trace.get("type", "scatter") != "scatter":
            continue
        line = trace.get("line", {})
        mode = trace.get("mode", "lines+markers")
        points = [
            (px(x.positions[xv]), py(float(yv)) if yv is not None else None)
            for xv, yv in zip(trace.get("x", []), trace.get("y", []), strict=False)
        ]
        if "lines" in mode:
            for run in _runs(points):
                canvas.paths.append(
                    {
                        "d": _path(run, step=line.get("shape") == "hv"),
                        "colour": line.get("color", "#1d70b8"),
                        "width": line.get("width", 2),
                        "dash": DASHES.get(line.get("dash", "solid"), ""),
                    }
                )
        if "markers" in mode:
            for cx, cy in points:
                if cy is not None:
                    canvas.circles.append(
                        {
                            "cx": round(cx, 2),
                            "cy": round(cy, 2),
                            "r": 3 if "lines" in mode else 5,
                            "fill": trace.get("marker", {}).get("color")
                            or line.get("color", "#1d70b8"),
                        }
                    )
    _draw_legend(canvas, legend_placed, 10, canvas.height - legend_height)


def _runs(points):
    run = []
    for point in points:
        if point[1] is None:
            if run:
                yield run
            run = []
        else:
            run.append(point)
    if run:
        yield run


def _path(points, *, step: bool) -> str:
    parts = [f"M{points[0][0]:.2f},{points[0][1]:.2f}"]
    for _, (x1, y1) in itertools.pairwise(points):
        if step:
            parts.append(f"H{x1:.2f}V{y1:.2f}")
        else:
            parts.append(f"L{x1:.2f},{y1:.2f}")
    if len(points) == 1:
        # A lone point still shows as a short stroke.
        parts.append("l0.1,0")
    return "".join(parts)


def _draw_heatmap(canvas, trace, layout):
    xs, ys, z = trace.get("x", []), trace.get("y", []), trace.get("z", [])
    text = trace.get("text") or [[""] * len(xs) for _ in ys]
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    scale = trace.get("colorscale") or [[0, "#f3f2f1"], [1, "#1d70b8"]]
    flat = [v for row in z for v in row if v is not None]
    low, high = min(flat, default=0), max(flat, default=1)
    left, top, bottom = 60, 10, 56
    size = min(
        (canvas.width - left - 16) / max(len(xs), 1),
        (canvas.height - top - bottom) / max(len(ys), 1),
    )
    gap_x, gap_y = trace.get("xgap", 0), trace.get("ygap", 0)
    for r, yv in enumerate(ys):
        # Plotly draws the first row at the bottom.
        row_top = top + (len(ys) - 1 - r) * size
        canvas.text(left - 8, row_top + size / 2 + FONT_SIZE * 0.35, str(yv), anchor="end")
        for c, _xv in enumerate(xs):
            value = z[r][c]
            fraction = 0 if high == low or value is None else (value - low) / (high - low)
            canvas.rects.append(
                {
                    "x": left + c * size + gap_x / 2,
                    "y": row_top + gap_y / 2,
                    "w": size - gap_x,
                    "h": size - gap_y,
                    "fill": _colour_at(scale, fraction),
                    "opacity": 1,
                    "cls": "cell",
                }
            )
            if text[r][c]:
                canvas.text(
                    left + c * size + size / 2,
                    row_top + size / 2 + FONT_SIZE * 0.5,
                    str(text[r][c]),
                    size=FONT_SIZE + 3,
                    weight="bold",
                )
    for c, xv in enumerate(xs):
        canvas.text(left + c * size + size / 2, top + len(ys) * size + FONT_SIZE + 4, str(xv))
    x_title = xaxis.get("title", {}).get("text", "")
    y_title = yaxis.get("title", {}).get("text", "")
    if x_title:
        canvas.text(
            left + len(xs) * size / 2,
            top + len(ys) * size + 2 * FONT_SIZE + 12,
            x_title,
            weight="bold",
        )
    if y_title:
        canvas.text(FONT_SIZE, top + len(ys) * size / 2, y_title, rotate=-90, weight="bold")
    canvas.width = min(canvas.width, left + len(xs) * size + 16)


def figure_svg(
    figure: dict, *, width: int = 900, height: int | None = None, title: str = ""
) -> str:
    """The figure drawn as an SVG document (text); UnsupportedFigure for unknown trace types."""
    traces = figure.get("data", [])
    layout = figure.get("layout", {})
    for trace in traces:
        if trace.get("type", "scatter") not in SUPPORTED:
            raise UnsupportedFigure(f"The PDF cannot draw a {trace.get('type')!r} chart.")
    canvas = _Canvas(width=width, height=float(height or layout.get("height", 320)), title=title)
    heatmaps = [t for t in traces if t.get("type") == "heatmap"]
    if heatmaps:
        _draw_heatmap(canvas, heatmaps[0], layout)
    else:
        items = _legend_items(traces)
        placed, legend_height = _layout_legend(items, width - 20)
        _draw_cartesian(canvas, traces, layout, placed, legend_height)
    return render_to_string(
        "reports/pdf/chart.svg", {"c": canvas, "font_family": FONT_FAMILY, "font_size": FONT_SIZE}
    )


def figure_key(figure: dict, *, width: int, height: int | None, title: str) -> str:
    """SHA-256 of the figure's canonical JSON (and the size and title it is drawn at)."""
    text = json.dumps(
        {"figure": figure, "width": width, "height": height, "title": title},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def figure_data_uri(
    figure: dict, *, width: int = 900, height: int | None = None, title: str = ""
) -> str:
    """The figure as a data: URI of its SVG, from the cache when the same figure was drawn."""
    key = CACHE_PREFIX + figure_key(figure, width=width, height=height, title=title)
    uri = cache.get(key)
    if uri is None:
        svg = figure_svg(figure, width=width, height=height, title=title)
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        cache.set(key, uri, CACHE_SECONDS)
    return uri
