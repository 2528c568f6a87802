"""Reports as numbers, tables and JSON: `scalar_metrics`, `format_table`, `save_report`.

A report is the dict of `gan_zoo.metrics.evaluate`, `evaluate_points` or
`gan_zoo.evaluation.evaluate_model` (see `gan_zoo.metrics.scoring` for its sections). Which way
each score is better and which score names are short aliases come from the metric registry.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from gan_zoo.metrics import registry

__all__ = ["format_table", "save_report", "scalar_metrics"]


def scalar_metrics(section: dict) -> dict[str, float]:
    """The scalar (int / float / bool) entries of a report's `model` or `real_baseline`.

    Short aliases that `functional.mode_coverage` returns beside the descriptive names
    (`modes` for `modes_covered`, `high_quality` for `high_quality_fraction`) are left out
    when the descriptive name is there.

    Args:
        section: `report["model"]` or `report["real_baseline"]`.

    Returns:
        `{name: float}`, lists (histograms, counts) left out.
    """
    aliases = registry.score_aliases()
    return {
        name: float(value)
        for name, value in section.items()
        if isinstance(value, int | float | np.integer | np.floating)
        and aliases.get(name) not in section
    }


def format_table(report: dict) -> str:
    """Renders a report as a small text table: `metric | model | real baseline | better`.

    Reports with `model_at_baseline_count` get a `model @n` column before the baseline.

    Args:
        report: a dict from `evaluate`, `evaluate_points` or `evaluate_model`.

    Returns:
        The table, with the extractor's name and whether the numbers are comparable to
        published ones on the first lines, and the report's notes at the end.
    """
    model = scalar_metrics(report.get("model", {}))
    baseline = scalar_metrics(report.get("real_baseline", {}))
    columns = [("model", model)]
    if "model_at_baseline_count" in report:
        count = report.get("counts", {}).get("real_test", "n")
        columns.append((f"model @{count}", scalar_metrics(report["model_at_baseline_count"])))
    columns.append(("real baseline", baseline))
    names = list(model) + [n for n in baseline if n not in model]
    rows = [("metric", *(title for title, _ in columns), "better")]
    for name in names:
        values = tuple(_fmt(section.get(name)) for _, section in columns)
        rows.append((name, *values, registry.better_direction(name)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        f"extractor: {report.get('extractor') or 'none (raw points)'}"
        f" (comparable to published: {'yes' if report.get('comparable_to_published') else 'no'})",
    ]
    counts = report.get("counts")
    if counts:
        lines.append("samples: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for i, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            lines.append("-+-".join("-" * width for width in widths))
    lines.extend(f"note: {note}" for note in report.get("notes", []))
    return "\n".join(line.rstrip() for line in lines)


def save_report(report: dict, path: str | os.PathLike) -> str:
    """Writes a report as strict JSON (NaN and infinities as null), atomically.

    Args:
        report: a dict from `evaluate`, `evaluate_points` or `evaluate_model`.
        path: output file; its directory is created.

    Returns:
        The path written.
    """
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        json.dump(_json_ready(report), f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(temporary, path)
    return path


def _json_ready(value):
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.4g}"
