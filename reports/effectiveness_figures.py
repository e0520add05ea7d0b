"""Plotly figures and their data for the two effectiveness pages.

The data functions read the frames inside the filters' date window (the same
window as :func:`reports.effectiveness.effectiveness_tables`) and compute
with ``analysis/``; the figure functions only draw. Every chart's title is
the question it answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.adjusted_means import adjusted_means
from analysis.comparison import WWC_ADJUSTMENT, WWC_SATISFIED
from analysis.filters import Filters, filter_by_dates
from analysis.prepost import OVERALL, PairedScores, pair_scores
from analysis.trajectories import stage_trajectories
from reports.frames import Frames

MODEL_COLOURS = {"digital": "#1565c0", "traditional": "#ef6c00"}
OTHER_COLOUR = "#757575"
MODEL_NAMES = {"digital": "цифровая", "traditional": "традиционная"}
STAGE_NAMES = {"diagnostic": "диагностика", "pre": "до", "mid": "промежуточная", "post": "после"}
# compare_models tests nothing below this many participants per model, so neither do the adjusted means.
MIN_PER_MODEL = 5
CHART_HEIGHT = 380


def window_assessments(frames: Frames, filters: Filters | None) -> pd.DataFrame:
    """Return the assessments inside the filters' date window, as the tables use them."""
    if filters is None:
        return frames.assessments
    return filter_by_dates(frames.assessments, "assessed_on", filters)


def paired_scores(frames: Frames, filters: Filters | None) -> PairedScores:
    """Pair the pre and post scores inside the window (see ``pair_scores``)."""
    return pair_scores(window_assessments(frames, filters))


def select_pairs(pairs: pd.DataFrame, model: str, area: str) -> pd.DataFrame:
    """Select the pairs of one area and model, as ``prepost_change`` forms its rows.

    ``"all"`` pools the participants of every model, and everyone only when
    no participant has a model.
    """
    rows = pairs[pairs["area"] == area]
    if model != "all":
        return rows[rows["model"] == model]
    if rows["model"].notna().any():
        return rows[rows["model"].notna()]
    return rows


def trajectories(frames: Frames, filters: Filters | None, area: str) -> pd.DataFrame:
    """Collect the stage-by-stage scores of every participant in one area (see ``stage_trajectories``)."""
    return stage_trajectories(window_assessments(frames, filters), area=area)


def model_adjusted_means(pairs: pd.DataFrame, area: str) -> pd.DataFrame:
    """Estimate the ANCOVA-adjusted post means of one area, with the comparison's minimum group size."""
    return adjusted_means(pairs[pairs["area"] == area], min_per_group=MIN_PER_MODEL)


def _colour(model) -> str:
    return MODEL_COLOURS.get(model, OTHER_COLOUR) if isinstance(model, str) else OTHER_COLOUR


def _layout(figure: go.Figure, title: str, **axes) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=CHART_HEIGHT,
        margin={"t": 60, "b": 40, "l": 50, "r": 20},
        **axes,
    )
    return figure


def means_by_area_figure(rows: pd.DataFrame) -> go.Figure:
    """Draw grouped bars of the mean pre and post score per area of one model."""
    by_area = rows[rows["area"] != OVERALL]
    figure = go.Figure(
        [
            go.Bar(name="До", x=by_area["area"], y=by_area["mean_pre"], marker_color="#90a4ae"),
            go.Bar(name="После", x=by_area["area"], y=by_area["mean_post"], marker_color="#2e7d32"),
        ]
    )
    figure.update_layout(barmode="group")
    return _layout(
        figure,
        "Каким был средний результат до и после в каждой области?",
        yaxis_title="Средний результат, % от максимума",
    )


def slope_figure(pairs: pd.DataFrame) -> go.Figure:
    """Draw one line from pre to post per participant (a slope chart), and the mean line."""
    figure = go.Figure()
    stages = ["До", "После"]
    for row in pairs.itertuples(index=False):
        rising = row.post > row.pre
        figure.add_trace(
            go.Scatter(
                x=stages,
                y=[row.pre, row.post],
                mode="lines+markers",
                line={"color": "#66bb6a" if rising else "#e57373", "width": 1},
                marker={"size": 5},
                opacity=0.6,
                name=str(row.code),
                showlegend=False,
                hovertemplate=f"{row.code}: %{{y:.1f}} %<extra></extra>",
            )
        )
    if len(pairs):
        figure.add_trace(
            go.Scatter(
                x=stages,
                y=[float(pairs["pre"].mean()), float(pairs["post"].mean())],
                mode="lines+markers",
                line={"color": "#212121", "width": 4},
                marker={"size": 10},
                name="Среднее",
            )
        )
    return _layout(
        figure,
        "Вырос ли результат у каждого участника?",
        yaxis_title="Результат, % от максимума",
        showlegend=True,
    )


def change_distribution_figure(pairs: pd.DataFrame) -> go.Figure:
    """Draw a box plot with every participant's change as a point, and the zero line."""
    figure = go.Figure(
        go.Box(
            x=pairs["change"].to_numpy(dtype=float),
            name="Изменение",
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": "#1565c0", "size": 6, "opacity": 0.7},
            line={"color": "#455a64"},
            boxmean=True,
            text=pairs["code"].astype(str).tolist(),
            hovertemplate="%{text}: %{x:.1f} п. п.<extra></extra>",
            orientation="h",
        )
    )
    figure.add_vline(x=0, line_dash="dash", line_color="#b71c1c")
    return _layout(
        figure,
        "Насколько изменился результат у участников?",
        xaxis_title="Изменение «после» − «до», п. п.",
        yaxis={"showticklabels": False},
    )


def trajectories_figure(paths: pd.DataFrame, codes: list[str]) -> go.Figure:
    """Draw the chosen participants' scores across the stages, coloured by model."""
    chosen = paths[paths["code"].isin(codes)]
    figure = go.Figure()
    for code, own in chosen.groupby("code", sort=True):
        model = own["model"].iloc[0]
        label = MODEL_NAMES.get(model, "вне групп") if isinstance(model, str) else "вне групп"
        figure.add_trace(
            go.Scatter(
                x=own["stage"].map(STAGE_NAMES).tolist(),
                y=own["score_percent"].to_numpy(dtype=float),
                mode="lines+markers",
                name=f"{code} ({label})",
                line={"color": _colour(model)},
            )
        )
    figure.update_xaxes(categoryorder="array", categoryarray=list(STAGE_NAMES.values()))
    return _layout(
        figure,
        "Как менялся результат участника от диагностики до итоговой оценки?",
        yaxis_title="Результат, % от максимума",
    )


def adjusted_means_figure(adjusted: pd.DataFrame) -> go.Figure:
    """Draw the adjusted post means with their intervals, and the raw post means beside them."""
    shown = adjusted[adjusted["adjusted_mean"].notna()]
    names = shown["model"].map(MODEL_NAMES).tolist()
    figure = go.Figure(
        [
            go.Scatter(
                x=names,
                y=shown["adjusted_mean"].to_numpy(dtype=float),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (shown["ci_high"] - shown["adjusted_mean"]).to_numpy(dtype=float),
                    "arrayminus": (shown["adjusted_mean"] - shown["ci_low"]).to_numpy(dtype=float),
                },
                mode="markers",
                marker={"size": 14, "color": [_colour(m) for m in shown["model"]]},
                name="С поправкой на исходный уровень (95 % ДИ)",
            ),
            go.Scatter(
                x=names,
                y=shown["mean_post"].to_numpy(dtype=float),
                mode="markers",
                marker={"size": 12, "symbol": "circle-open", "color": "#424242"},
                name="Фактическое среднее «после»",
            ),
        ]
    )
    return _layout(
        figure,
        "Какой результат «после» был бы у моделей при одинаковом исходном уровне?",
        yaxis_title="Результат «после», % от максимума",
    )


def gain_distribution_figure(pairs: pd.DataFrame) -> go.Figure:
    """Draw a violin with a box and points of the gains of each model."""
    figure = go.Figure()
    for model in ("digital", "traditional"):
        own = pairs[pairs["model"] == model]
        figure.add_trace(
            go.Violin(
                y=own["change"].to_numpy(dtype=float),
                name=f"{MODEL_NAMES[model]} ({len(own)})",
                box_visible=True,
                meanline_visible=True,
                points="all",
                pointpos=0,
                jitter=0.4,
                line_color=_colour(model),
                text=own["code"].astype(str).tolist(),
                hovertemplate="%{text}: %{y:.1f} п. п.<extra></extra>",
            )
        )
    figure.add_hline(y=0, line_dash="dash", line_color="#b71c1c")
    return _layout(
        figure,
        "У какой модели прирост больше и насколько он различается у участников?",
        yaxis_title="Прирост «после» − «до», п. п.",
        showlegend=False,
    )


def baseline_figure(comparison: pd.DataFrame, area_names: dict[str, str]) -> go.Figure:
    """Draw Hedges' g of the pre scores per area against the WWC thresholds."""
    shown = comparison[comparison["baseline_hedges_g"].notna()]
    g = shown["baseline_hedges_g"].astype(float)
    colours = np.where(
        g.abs() <= WWC_SATISFIED, "#2e7d32", np.where(g.abs() <= WWC_ADJUSTMENT, "#f9a825", "#c62828")
    )
    figure = go.Figure(
        go.Bar(
            x=g.to_numpy(),
            y=shown["area"].map(lambda area: area_names.get(area, area)).tolist(),
            orientation="h",
            marker_color=colours.tolist(),
            hovertemplate="g = %{x:.2f}<extra></extra>",
        )
    )
    for limit in (WWC_SATISFIED, WWC_ADJUSTMENT):
        for sign in (-1, 1):
            figure.add_vline(x=sign * limit, line_dash="dot", line_color="#616161")
    return _layout(
        figure,
        "Были ли группы равны по уровню до начала программы?",
        xaxis_title="g Хеджеса результатов «до» (цифровая − традиционная)",
    )


def attrition_figure(attrition: pd.DataFrame, area: str) -> go.Figure:
    """Draw the share of participants with a pre score but no post score, by model."""
    own = attrition[(attrition["area"] == area) & attrition["model"].isin(MODEL_NAMES)]
    own = own[own["n_pre"] > 0]
    shares = own["share"].astype(float) * 100
    figure = go.Figure(
        go.Bar(
            x=own["model"].map(MODEL_NAMES).tolist(),
            y=shares.to_numpy(),
            marker_color=[_colour(m) for m in own["model"]],
            text=[f"{int(d)} из {int(n)}" for d, n in zip(own["n_dropped"], own["n_pre"], strict=True)],
            textposition="outside",
        )
    )
    return _layout(
        figure,
        "Какая доля участников выбыла до итоговой оценки?",
        yaxis_title="Выбыли, % от участников с оценкой «до»",
    )


def default_trajectory_codes(paths: pd.DataFrame, count: int = 5) -> list[str]:
    """Pick the first participants by code among those with the most assessed stages."""
    if paths.empty:
        return []
    stages = paths.groupby("code")["stage"].nunique().rename("stages").reset_index()
    stages = stages.sort_values(["stages", "code"], ascending=[False, True], kind="mergesort")
    return stages["code"].head(count).astype(str).tolist()
