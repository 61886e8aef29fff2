"""Plotly figure dicts drawn from a snapshot: small by design (rounded values, no template).

Each figure is a plain dict ({"data": [...], "layout": {...}}) that a page embeds with
json_script and static/js/charts.js draws with Plotly.newPlot. Every chart also has its data as
a table on the page, so nothing here is the only way to read a figure.
"""

from __future__ import annotations

from decimal import Decimal

from conditions.mitigation import NOT_ATTRIBUTED, Mitigation
from reports.snapshot import MeasureData, RoundSnapshot
from svmonitor.choices import Rag
from svmonitor.fy import fy_label

# Fill colours with at least 3:1 contrast against white (WCAG 1.4.11), one per RAG level.
RAG_FILL = {
    Rag.BLUE: "#1d70b8",
    Rag.GREEN: "#00703c",
    Rag.AMBER_GREEN: "#5d7a16",
    Rag.AMBER: "#a86500",
    Rag.AMBER_RED: "#c4461c",
    Rag.RED: "#942514",
    Rag.NOT_RATED: "#6f777b",
}
# Lines: the actual is heavy and dark; baselines and comparators are dashed in distinct colours.
LINE_COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#a86500", "#28a197"]
ACTUAL_COLOUR = "#0b0c0c"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 14}


def _num(value: Decimal | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def chart_layout(**extra) -> dict:
    """The layout every chart shares, with `extra` laid over it."""
    return _layout(**extra)


def _layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.2},
        "height": 340,
    }
    layout.update(extra)
    return layout


def workstream_status_figure(snapshot: RoundSnapshot) -> dict:
    """Stacked bars: how many workstreams hold each RAG, per programme area."""
    areas = [a for a in snapshot.areas if a.workstreams]
    # Short category labels stay legible at any width; the table beside names each area.
    labels = [f"Area {a.number}" for a in areas]
    names = [_short(f"{a.number}. {a.name}") for a in areas]
    data = []
    for code, label in Rag.choices:
        counts = [sum(1 for w in a.workstreams if w.rating.code == code) for a in areas]
        if any(counts):
            word = _word(snapshot, code, label)
            data.append(
                {
                    "type": "bar",
                    "name": word,
                    "x": labels,
                    "y": counts,
                    "hovertext": names,
                    "hovertemplate": "%{hovertext}: %{y} " + word + "<extra></extra>",
                    "marker": {"color": RAG_FILL[code], "line": {"color": "#ffffff", "width": 1}},
                }
            )
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=320,
            xaxis={"type": "category"},
            yaxis={"title": {"text": "Workstreams"}, "dtick": 1, "rangemode": "tozero"},
        ),
    }


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _word(snapshot: RoundSnapshot, code: str, fallback: str) -> str:
    for definition in snapshot.rag_definitions:
        if definition.level == code:
            return definition.label
    return fallback


def risk_heat_map_figure(snapshot: RoundSnapshot) -> dict:
    """A 5x5 grid of impact against likelihood with the number of risks in each cell."""
    scores = [[i * j for j in range(1, 6)] for i in range(1, 6)]
    counts = [list(row) for row in snapshot.heat_map]
    text = [[str(n) if n else "" for n in row] for row in counts]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [1, 2, 3, 4, 5],
                "y": [1, 2, 3, 4, 5],
                # Colour by the cell's score (impact x likelihood); the label is the risk count.
                "z": scores,
                "text": text,
                "texttemplate": "%{text}",
                "textfont": {"size": 18, "color": "#0b0c0c"},
                "hovertemplate": "Impact %{y}, likelihood %{x}: %{text} risks<extra></extra>",
                "colorscale": [[0, "#cce2d8"], [0.4, "#fff7bf"], [0.7, "#fcd6c3"], [1, "#f4cdc6"]],
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": _layout(
            height=360,
            xaxis={"title": {"text": "Likelihood (1-5)"}, "dtick": 1},
            yaxis={"title": {"text": "Impact (1-5)"}, "dtick": 1},
        ),
    }


def risk_levels_figure(snapshot: RoundSnapshot) -> dict:
    """A rated register's risks counted per RAG level (in place of the impact x likelihood
    heat map, which such a council has no scores for)."""
    levels = snapshot.risk_level_counts
    data = [
        {
            "type": "bar",
            "name": level.label,
            "x": [level.label],
            "y": [level.count],
            "hovertemplate": "%{x}: %{y} risks<extra></extra>",
            "showlegend": False,  # the axis names each level
            "marker": {
                "color": RAG_FILL.get(level.code, RAG_FILL[Rag.NOT_RATED]),
                "line": {"color": "#ffffff", "width": 1},
            },
        }
        for level in levels
    ]
    return {
        "data": data,
        "layout": _layout(
            height=320,
            xaxis={"type": "category"},
            yaxis={"title": {"text": "Risks"}, "dtick": 1, "rangemode": "tozero"},
        ),
    }


def measure_trend_figure(measure: MeasureData, *, figures: bool = True) -> dict:
    """The actual against every baseline, last year and neighbours, and the rolling average.

    With `figures=False`, each line's style without its name and points (what a web page's
    chart carries: static/js/charts.js draws the points from the table beside it).
    """
    data = []
    colours = iter(LINE_COLOURS)
    periods = set()
    # Monthly figures on a date axis; a measure with only academic or financial years has them
    # as categories ("2023-24 AY"), never as the month they start in. A period marked not
    # available is a gap in the line (its reason is under the table).
    monthly = any(p.is_month for line in measure.lines for p in line.points)
    for line in measure.lines:
        is_actual = line.kind == "actual"
        points = [p for p in line.points if p.is_month == monthly]
        periods.update((p.period, p.period_kind) for p in points)
        colour = ACTUAL_COLOUR if is_actual else next(colours, "#505a5f")
        trace = {"mode": "lines+markers"}
        if figures:
            trace = {
                "type": "scatter",
                # Markers as well as lines, so a series with a single figure still shows.
                "mode": "lines+markers",
                "name": line.name,
                "x": [p.period.isoformat() if monthly else p.label for p in points],
                "y": [_num(p.value) for p in points],
            }
        trace["line"] = (
            {"color": colour, "width": 3}
            if is_actual
            else {"color": colour, "width": 2, "dash": "dash"}
        )
        trace["marker"] = {"color": colour, "size": 7 if is_actual else 5}
        data.append(trace)
    if measure.rolling:
        trace = {"mode": "lines"}
        if figures:
            trace = {
                "type": "scatter",
                "mode": "lines",
                "name": "12-month rolling average",
                "x": [p.period.isoformat() for p in measure.rolling],
                "y": [_num(p.value) for p in measure.rolling],
            }
        trace["line"] = {"color": "#4c2c92", "width": 2, "dash": "dot"}
        data.append(trace)
    suffix = {"percent": "%", "weeks": " wks"}.get(measure.unit, "")
    prefix = "£" if measure.unit in ("gbp", "gbp_m") else ""
    # One tick a month for short series, a quarter for longer ones: never a month twice.
    months = len(periods)
    dtick = "M1" if months <= 8 else "M3" if months <= 24 else "M12"
    xaxis = (
        {"type": "date", "tickformat": "%b %Y", "dtick": dtick} if monthly else {"type": "category"}
    )
    return {
        "data": data,
        "layout": _layout(
            height=300,
            xaxis=xaxis,
            yaxis={"ticksuffix": suffix, "tickprefix": prefix, "separatethousands": True},
        ),
    }


def _millions(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value) / 1_000_000, 2)


def finance_figure(snapshot: RoundSnapshot) -> dict:
    """The High Needs Block by year: in-year bars and cumulative lines, with the deficit cap."""
    years = [y.fy for y in snapshot.finance]
    data = []
    for scenario, name, colour in (
        ("agreement", "Agreement profile", "#1d70b8"),
        ("latest", "Latest forecast", "#d4351c"),
        ("unmitigated", "Unmitigated forecast", "#6f777b"),
    ):
        rows = [getattr(y, scenario) for y in snapshot.finance]
        in_year = [_millions(r.in_year_position) if r else None for r in rows]
        cumulative = [_millions(r.cumulative_deficit) if r else None for r in rows]
        # A series with no figures at all would only add an empty legend entry.
        if any(v is not None for v in in_year):
            data.append(
                {
                    "type": "bar",
                    "name": f"In-year: {name}",
                    "x": years,
                    "y": in_year,
                    "marker": {"color": colour},
                    "opacity": 0.55,
                }
            )
        if any(v is not None for v in cumulative):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"Cumulative: {name}",
                    "x": years,
                    "y": cumulative,
                    "line": {"color": colour, "width": 3},
                }
            )
    caps = [_millions(y.cap) for y in snapshot.finance]
    if any(c is not None for c in caps):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Deficit cap",
                "x": years,
                "y": caps,
                "line": {"color": "#0b0c0c", "width": 2, "dash": "dash"},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=380,
            barmode="group",
            yaxis={"title": {"text": "£ million"}, "tickprefix": "£", "ticksuffix": "m"},
        ),
    }


# Workstreams' savings, in stacking order (cycled when there are more); each at least 3:1
# against white. The table beside the chart names every bar, so colour is never the only key.
SAVING_COLOURS = ["#1d70b8", "#00703c", "#4c2c92", "#a86500", "#28a197", "#912b88", "#5d7a16"]
NOT_ATTRIBUTED_COLOUR = "#6f777b"


def mitigation_figure(mitigation: Mitigation) -> dict:
    """The in-year position by year: the unmitigated forecast, each workstream's saving as a
    bar stacked from it towards the mitigated (latest) forecast, whatever no workstream
    accounts for as the last bar, and the actual; in £ million, a deficit negative."""
    years = [fy_label(y.financial_year) for y in mitigation.years]
    stacks = [y.stack() for y in mitigation.years]
    names = [*mitigation.workstreams, NOT_ATTRIBUTED]
    data = []
    for index, name in enumerate(names):
        is_rest = index == len(mitigation.workstreams)
        if is_rest and not mitigation.has_not_attributed:
            continue
        bases = [_millions(stack[index][0]) if stack else None for stack in stacks]
        heights = [_millions(stack[index][1]) if stack else None for stack in stacks]
        data.append(
            {
                "type": "bar",
                "name": name if is_rest else f"Saving: {name}",
                "x": years,
                "y": [h if h else None for h in heights],
                "base": bases,
                "marker": {
                    "color": NOT_ATTRIBUTED_COLOUR
                    if is_rest
                    else SAVING_COLOURS[index % len(SAVING_COLOURS)]
                },
            }
        )
    for key, name, line in (
        ("unmitigated", "Unmitigated forecast", {"color": "#0b0c0c", "width": 2, "dash": "dash"}),
        ("mitigated", "Mitigated forecast (latest)", {"color": "#d4351c", "width": 3}),
        ("actual", "Actual (outturn)", None),
    ):
        values = [_millions(getattr(y, key)) for y in mitigation.years]
        if all(v is None for v in values):
            continue
        trace = {"type": "scatter", "name": name, "x": years, "y": values}
        if line is None:
            trace.update(mode="markers", marker={"color": "#0b0c0c", "size": 10, "symbol": "x"})
        else:
            trace.update(mode="lines+markers", line=line)
        data.append(trace)
    return {
        "data": data,
        "layout": _layout(
            height=400,
            barmode="overlay",
            xaxis={"type": "category"},
            yaxis={"title": {"text": "£ million"}, "tickprefix": "£", "ticksuffix": "m"},
        ),
    }


def payments_figure(snapshot: RoundSnapshot) -> dict:
    """DfE instalments by due date, coloured by status."""
    data = []
    for status, colour in (
        ("received", "#00703c"),
        ("expected", "#1d70b8"),
        ("withheld", "#942514"),
        ("suspended", "#c4461c"),
    ):
        rows = [p for p in snapshot.payments if p.status == status]
        if rows:
            data.append(
                {
                    "type": "bar",
                    "name": rows[0].status_label,
                    "x": [p.due_date.isoformat() for p in rows],
                    "y": [_millions(p.amount) for p in rows],
                    "marker": {"color": colour},
                }
            )
    return {
        "data": data,
        "layout": _layout(
            height=300,
            xaxis={"type": "date", "tickformat": "%b %Y"},
            yaxis={"title": {"text": "£ million"}, "tickprefix": "£", "ticksuffix": "m"},
        ),
    }
