"""A measured figure of the benchmarks, and the table they are printed as."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure: its runs, its baseline's runs, and the target verdict."""

    name: str
    unit: str
    runs: list[float]
    baseline_runs: list[float] = field(default_factory=list)
    target: str = ""
    ratio: float | None = None
    met: bool | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def baseline(self) -> float | None:
        return statistics.median(self.baseline_runs) if self.baseline_runs else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.runs:
            return data
        data |= {"median": self.median, "min": min(self.runs), "max": max(self.runs)}
        if self.baseline_runs:
            data |= {
                "baseline_median": self.baseline,
                "baseline_min": min(self.baseline_runs),
                "baseline_max": max(self.baseline_runs),
            }
        return data


def render_table(figures: list[Figure]) -> str:
    """The figures as a plain-text table."""
    lines = [
        f"{'figure':32} {'median':>12} {'min':>12} {'max':>12} {'baseline':>12} "
        f"{'ratio':>7}  target",
    ]
    for f in figures:
        if not f.runs:
            lines.append(f"{f.name:32} {f.notes.get('skipped', 'not measured')}")
            continue
        baseline = f"{f.baseline:12.4g}" if f.baseline is not None else f"{'-':>12}"
        ratio = f"{f.ratio:7.3g}" if f.ratio is not None else f"{'-':>7}"
        verdict = {True: "met", False: "NOT met", None: ""}[f.met]
        lines.append(
            f"{f.name:32} {f.median:12.4g} {min(f.runs):12.4g} {max(f.runs):12.4g} "
            f"{baseline} {ratio}  {f.target} ({f.unit}): {verdict}"
        )
    return "\n".join(lines)
