"""Plotly figures shared by the app and the exports, in one projector-friendly style.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
lines also differ by dash so the curves stay apart in grey-scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
FONT = dict(size=18, color="#2a3f5f")
AXIS = dict(gridcolor="#EBF0F8", linecolor="#EBF0F8", zerolinecolor="#EBF0F8", zerolinewidth=2, automargin=True)
# The words a chart draws itself (axis titles, legend names and suffixes), by identifier. English here, for the
# exports and benchmarks; the app passes its own (`words=`, in the session's language): the core draws data and
# never translates.
WORDS = {
    "step": "step",
    "seconds": "seconds",
    "cross_entropy": "cross-entropy (nats)",
    "accuracy": "accuracy",
    "training_step": "training step",
    "probability": "probability",
    "share": "share of tokens",
    "setting": "setting",
    "realised": "realised on a batch",
    "true_class": "true class",
    "predicted_class": "predicted class",
    "attending": "token that looks (row)",
    "attended": "token it looks at (column)",
    "suffix.train": " · train",
    "suffix.heldout": " · held-out",
}


def styled(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Large fonts, a clean background and the legend on top, for reading at projector distance.

    Plotly's "plotly_white" look, set property by property: naming a template makes plotly validate the
    whole template again on every figure (~25 ms), which a live view redrawing every second for each of
    forty students cannot afford.
    """
    fig.update_layout(
        template=None,
        title=title,
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        colorway=PALETTE,
    )
    fig.update_xaxes(AXIS)
    fig.update_yaxes(AXIS)
    return fig


def loss_curves(
    runs: Sequence[tuple[str, list[dict[str, Any]]]],
    x: str = "step",
    metric: str = "loss",
    words: dict[str, str] = WORDS,
) -> go.Figure:
    """Train (thin) and held-out (thick, markers) curves of several runs on one chart.

    runs: (label, metrics lines) pairs; metric: "loss" or "accuracy" (held-out only for accuracy).
    """
    fig = go.Figure()
    for i, (label, lines) in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        if metric == "loss":
            train = [r for r in lines if "train_loss" in r]
            fig.add_scatter(
                x=[r[x] for r in train],
                y=[r["train_loss"] for r in train],
                mode="lines",
                name=label + words["suffix.train"],
                line=dict(color=colour, width=2, dash=DASHES[i % len(DASHES)]),
                opacity=0.6,
            )
        val = [r for r in lines if f"val_{metric}" in r]
        fig.add_scatter(
            x=[r[x] for r in val],
            y=[r[f"val_{metric}"] for r in val],
            mode="lines+markers",
            name=label + words["suffix.heldout"],
            line=dict(color=colour, width=4, dash=DASHES[i % len(DASHES)]),
            marker=dict(size=9, symbol=i % 20),
        )
    fig.update_xaxes(title=words["step"] if x == "step" else words["seconds"] if x == "elapsed_s" else x)
    fig.update_yaxes(title=words["cross_entropy"] if metric == "loss" else words["accuracy"], rangemode="tozero")
    return styled(fig)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str | None = None,
    highlight: str | None = None,
    height: int = 320,
) -> go.Figure:
    """Horizontal probability bars, best on top (top-k predictions)."""
    colours = [PALETTE[1] if lab == highlight else PALETTE[0] for lab in labels]
    fig = go.Figure(
        go.Bar(
            x=list(values)[::-1],
            y=list(labels)[::-1],
            orientation="h",
            marker_color=colours[::-1],
            text=[f"{v:.1%}" for v in list(values)[::-1]],
            textposition="auto",
        )
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(type="category")
    return styled(fig, title, height)


def heatmap(
    matrix: Any, labels: Sequence[str], title: str | None = None, height: int = 520, words: dict[str, str] = WORDS
) -> go.Figure:
    """Attention heatmap: row = the token attending, column = the token attended to, each axis titled and
    labelled with the tokens. A light sequential scale (white to dark blue): most weights are near 0, and
    on a projector a mostly white map with a few dark cells reads better than a mostly dark one."""
    n = len(labels)
    ticks = dict(tickmode="array", tickvals=list(range(n)), ticktext=[f"{t}" for t in labels])
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            customdata=[[(labels[r], labels[c]) for c in range(n)] for r in range(n)],
            hovertemplate="%{customdata[0]} → %{customdata[1]}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", **ticks)  # repeated tokens stay distinct: positions, not categories
    fig.update_xaxes(tickangle=-45, **ticks)
    fig = styled(fig, title, height)
    fig.update_xaxes(title=words["attended"], showgrid=False)
    fig.update_yaxes(title=words["attending"], showgrid=False)
    return fig


def setting_vs_realised(
    expected: dict[str, float],
    realised: dict[str, float],
    title: str | None = None,
    height: int = 360,
    words: dict[str, str] = WORDS,
) -> go.Figure:
    """Grouped bars: the share of tokens each setting asks for next to the share that happened on a batch."""
    keys = list(expected)
    fig = go.Figure()
    for name, values, colour, hatch in (("setting", expected, PALETTE[0], ""), ("realised", realised, PALETTE[1], "/")):
        ys = [values.get(k, 0.0) for k in keys]
        fig.add_bar(
            x=keys,
            y=ys,
            name=words[name],
            marker_color=colour,
            text=[f"{y:.0%}" for y in ys],
            textposition="outside",
            marker_pattern_shape=hatch,
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title=words["share"])
    fig.update_layout(barmode="group")
    return styled(fig, title, height)


def probability_lines(
    steps: Sequence[int],
    series: dict[str, Sequence[float]],
    title: str | None = None,
    height: int = 380,
    words: dict[str, str] = WORDS,
) -> go.Figure:
    """One line per token: its probability (0-1) at each step, e.g. a probe asked of every checkpoint."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        fig.add_scatter(
            x=list(steps),
            y=list(ys),
            mode="lines+markers",
            name=name,
            line=dict(color=PALETTE[i % len(PALETTE)], width=4, dash=DASHES[i % len(DASHES)]),
            marker=dict(size=10, symbol=i % 20),
        )
    fig.update_xaxes(title=words["training_step"])
    fig.update_yaxes(title=words["probability"], rangemode="tozero", tickformat=".0%")
    return styled(fig, title, height)


def confusion(
    matrix: Sequence[Sequence[int]],
    labels: Sequence[str],
    title: str | None = None,
    height: int = 420,
    words: dict[str, str] = WORDS,
) -> go.Figure:
    """Confusion matrix as a heatmap with the counts written in: row = true class, column = predicted class."""
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(labels),
            y=list(labels),
            colorscale="Blues",
            showscale=False,
            text=[[str(v) for v in row] for row in matrix],
            texttemplate="%{text}",
            hovertemplate="true %{y} → predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=words["true_class"], type="category")
    fig.update_xaxes(title=words["predicted_class"], type="category", side="top")
    return styled(fig, title, height)


def grouped_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    title: str | None = None,
    y_title: str = WORDS["accuracy"],
    percent: bool = True,
    height: int = 380,
) -> go.Figure:
    """Bars grouped by category, one colour (and hatch) per series, values written on the bars.

    E.g. the probe scoreboard: categories "needs right context" / "left context suffices", one series per model.
    """
    fig = go.Figure()
    shapes = ["", "/", ".", "x", "-", "+"]
    for i, (name, ys) in enumerate(series.items()):
        ys = list(ys)
        fig.add_bar(
            x=list(categories),
            y=ys,
            name=name,
            marker_color=PALETTE[i % len(PALETTE)],
            marker_pattern_shape=shapes[i % len(shapes)],
            textposition="outside",
            text=[
                "—" if y is None else f"{y:.0%}" if percent else f"{y:,.0f}" if abs(y) >= 100 else f"{y:.2g}"
                for y in ys
            ],
        )
    fig.update_yaxes(title=y_title, rangemode="tozero")
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.15])  # room above a 100% bar for its label
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="group")
    return styled(fig, title, height)


def lines(
    xs: Sequence[Any],
    series: dict[str, Sequence[float | None]],
    x_title: str,
    y_title: str,
    title: str | None = None,
    percent: bool = False,
    x_percent: bool = False,
    height: int = 380,
    spread: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> go.Figure:
    """One line (with markers) per series against a setting, e.g. held-out accuracy vs mask rate.

    percent / x_percent: show the y / x values (fractions 0-1) as percentages (on the axis and in the hover).
    spread: per series, the (lowest, highest) value at each x: drawn as error bars around the line (the line
    being the median over seeds, see verdicts.seed_spread).
    """
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        ys = list(ys)
        bars = None
        if spread and name in spread:
            low, high = spread[name]
            bars = dict(
                type="data",
                symmetric=False,
                array=[h - y for h, y in zip(high, ys, strict=True)],
                arrayminus=[y - lo for lo, y in zip(low, ys, strict=True)],
                thickness=3,
                width=10,
                color=PALETTE[i % len(PALETTE)],
            )
        fig.add_scatter(
            x=list(xs),
            y=ys,
            mode="lines+markers",
            name=name,
            error_y=bars,
            line=dict(color=PALETTE[i % len(PALETTE)], width=4, dash=DASHES[i % len(DASHES)]),
            marker=dict(size=11, symbol=i % 20),
        )
    fig.update_xaxes(title=x_title, tickvals=list(xs), tickformat=".0%" if x_percent else None)
    fig.update_yaxes(
        title=y_title,
        rangemode="tozero",
        tickformat=".0%" if percent else None,
        hoverformat=".1%" if percent else ".2f",
    )
    return styled(fig, title, height)


def lens_grid(
    rows: Sequence[str],
    guesses: Sequence[Sequence[tuple[str, float]]],
    x_title: str,
    answer: str | None = None,
    found: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """The logit lens as a grid: one row per layer (the first row at the bottom, the model's output on top),
    its top guesses left to right, each cell the token written in and shaded by its probability.

    rows: a label per layer; guesses: per layer, (token label, probability) best first; answer: the answer's
    token label, drawn bold wherever it is guessed; found: the index of the row where the answer becomes the
    top guess for good, outlined."""
    k = max(len(g) for g in guesses)
    z = [[p for _, p in g] + [None] * (k - len(g)) for g in guesses]
    text = [[f"<b>{tok}</b>" if tok == answer else tok for tok, _ in g] + [""] * (k - len(g)) for g in guesses]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(1, k + 1)),
            y=list(range(len(rows))),
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=20),
            colorscale="Blues",
            zmin=0,
            zmax=1,
            xgap=3,
            ygap=3,
            colorbar=dict(tickformat=".0%", thickness=14),
            hovertemplate="%{text}: %{z:.1%}<extra></extra>",
        )
    )
    if found is not None:
        fig.add_shape(type="rect", x0=0.5, x1=k + 0.5, y0=found - 0.5, y1=found + 0.5,
                      line=dict(color=PALETTE[1], width=5))  # fmt: skip
    fig.update_xaxes(title=x_title, tickvals=list(range(1, k + 1)), showgrid=False)
    fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=list(rows), showgrid=False)  # the rows name themselves
    return styled(fig, height=height or 110 + 64 * len(rows))


def word_map(
    points: Sequence[tuple[str, str | None, float, float]],
    names: dict[str | None, str],
    x_title: str,
    y_title: str,
    labels: bool = True,
    height: int = 360,
) -> go.Figure:
    """Words as points in a plane (the embedding map): one colour and marker shape per category, in the order of
    `names` (category -> legend name; None: uncoloured, grey, no legend), the legend at the right. labels:
    write each word beside its point (else on hover only: a tight cluster's words overlap)."""
    fig = go.Figure()
    symbols = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
    for i, (category, name) in enumerate(names.items()):
        mine = [p for p in points if p[1] == category]
        colour = "#777777" if category is None else PALETTE[i % len(PALETTE)]
        fig.add_scatter(
            x=[p[2] for p in mine],
            y=[p[3] for p in mine],
            text=[p[0] for p in mine],
            mode="markers+text" if labels else "markers",
            textposition="top center",
            textfont=dict(size=15, color=colour),
            name=name,
            showlegend=category is not None,
            marker=dict(size=14, color=colour, symbol=symbols[i % len(symbols)], line=dict(width=1, color="#333")),
            hovertemplate="%{text}<extra>" + name + "</extra>",
        )
    fig.update_xaxes(title=x_title, zeroline=False, showticklabels=False)
    fig.update_yaxes(title=y_title, zeroline=False, showticklabels=False, scaleanchor="x")
    styled(fig, height=height)
    return fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, yanchor="top", xanchor="left"))
