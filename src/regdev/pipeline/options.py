"""The pipeline's options and its progress events."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from regdev.errors import ConfigError

STAGES: tuple[str, ...] = ("problem", "solve", "explain", "design", "report")
"""The stages of :func:`regdev.plan`, in the order they run."""

MAX_DESIGN_REGIONS = 600
"""Default :attr:`PlanOptions.max_design_regions`."""


@dataclass(frozen=True)
class PlanOptions:
    """How :func:`regdev.plan` runs (every field has a default; ``None`` = the scenario decides).

    Parameters
    ----------
    time_limit : float, default 60
        Solver time limit of the rollout solve and of each explanation re-solve, seconds.
    mip_rel_gap : float, default 1e-6
        Relative gap at which the rollout counts as optimal.
    threads : int, optional
        Solver threads (``None``: HiGHS decides).
    strategy : {"auto", "lp-first", "lp-first-x", "mip"}
        Rollout solve strategy (see :mod:`regdev.planning.solve`).
    history : bool, optional
        Lock the real programme cohorts (``None``: the scenario's
        ``history.enabled``; ``False``: plan from scratch).
    explain_last : int, default 20
        For how many of the lowest-ranked regions scheduled last the cost of
        moving their factories one year earlier is computed (a re-solve each).
    design : bool, default True
        Design the factory group of every county the plan schedules.
    max_design_regions : int, default 600
        Above this many factory groups the design is skipped (with the reason
        recorded in ``plan.json``); design them per province instead.
    report : bool, default True
        Build ``report.html``.
    catalogue : path, optional
        A catalogue folder for the factory design (``lines.csv``, ``demand.csv``,
        ``supply.csv``, ``unused.csv``; see :func:`regdev.design.load_catalogue_dir`);
        ``None``: the packaged catalogue.
    """

    time_limit: float = 60.0
    mip_rel_gap: float = 1e-6
    threads: int | None = None
    strategy: str = "auto"
    history: bool | None = None
    explain_last: int = 20
    design: bool = True
    max_design_regions: int = MAX_DESIGN_REGIONS
    report: bool = True
    catalogue: str | None = None

    def __post_init__(self) -> None:
        rules: list[tuple[str, bool, str]] = [
            ("time_limit", math.isfinite(self.time_limit) and self.time_limit > 0, "> 0"),
            ("mip_rel_gap", 0 <= self.mip_rel_gap < 1, "in [0, 1)"),
            ("threads", self.threads is None or self.threads >= 0, ">= 0 or None"),
            (
                "strategy",
                self.strategy in ("auto", "lp-first", "lp-first-x", "mip"),
                "one of auto, lp-first, lp-first-x, mip",
            ),
            ("explain_last", self.explain_last >= 0, ">= 0"),
            ("max_design_regions", self.max_design_regions >= 0, ">= 0"),
        ]
        for name, ok, expected in rules:
            if not ok:
                msg = f"plan option {name} must be {expected}; got {getattr(self, name)!r}"
                raise ConfigError(msg)

    def to_dict(self) -> dict[str, Any]:
        """The options as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """One progress event of :func:`regdev.plan`.

    Attributes
    ----------
    stage : str
        One of :data:`STAGES`.
    message : str
        What is being done, for people (e.g. ``"solving (179 regions)"``).
    done : int
        Steps done within the stage.
    total : int or None
        Steps of the stage (``None``: unknown, show a spinner).
    """

    stage: str
    message: str
    done: int = 0
    total: int | None = None


ProgressFn = Callable[[Progress], None]
"""A callback receiving :class:`Progress` events (the CLI draws a Rich progress bar from them)."""
