"""Method: the optimisation model and the solver's figures (for specialists)."""

from __future__ import annotations

import numpy as np

from regdev.i18n import _
from regdev.reporting.context import ReportContext
from regdev.reporting.labels import facility_label, fmt_int, fmt_num, fmt_pct
from regdev.reporting.parts._util import esc, h3, table
from regdev.reporting.sections import ReportSection

ORDER = 90


def _gap(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.2e}"


def section(ctx: ReportContext) -> ReportSection:
    """The model in words, the solver figures, capacity vs projects."""
    plan = ctx.plan
    p = plan.problem
    greedy = plan.greedy_objective
    gain = (
        fmt_pct((plan.objective - greedy) / greedy, 3)
        if greedy and np.isfinite(plan.objective)
        else "—"
    )
    figures = [
        (_("Solver status"), esc(plan.status)),
        (_("Objective (million weighted person-years)"), fmt_num(plan.objective, 4)),
        (_("Best bound"), fmt_num(plan.bound, 4)),
        (_("Optimality gap"), _gap(plan.gap)),
        (_("Greedy baseline (one county at a time, best first)"), fmt_num(greedy, 4)),
        (_("Optimised against greedy"), gain),
        (
            _("Variables / constraints"),
            f"{fmt_int(plan.model.n_cols if plan.model else 0)} / {fmt_int(plan.model.n_rows if plan.model else 0)}",
        ),
        (_("Solver"), esc(f"HiGHS {plan.solver.get('version', '')} ({plan.method})")),
        (_("Scenario"), esc(p.metadata.get("scenario_name", "custom"))),
        (_("Input hash"), f"<code>{esc(p.input_hash[:16])}…</code>"),
        (_("regdev version"), esc(p.metadata.get("regdev_version", ""))),
    ]
    body = (
        "<p>"
        + esc(
            _(
                "Each county gets each facility type at most once, in one year. Every year "
                "has a building capacity per type (the most that can be completed; the "
                "factories: exactly the programme's pace), a county takes at most a few "
                "projects a year, each province keeps its population share of the factories, "
                "and an optional budget caps the spending. Among all schedules that respect "
                "this, the plan maximises the total weighted benefit: population × type "
                "weight × equity weight × years in use until the end. The model ships as "
                "model.mps, so any solver can check the optimum."
            )
        )
        + "</p>"
    )
    body += table([_("Figure"), _("Value")], [[esc(k), v] for k, v in figures], cls="compact")
    sched = ctx.schedule
    counts = sched.groupby("facility").size()
    rows = [
        [
            esc(facility_label(fac)),
            fmt_int(int(counts.get(fac, 0))),
            fmt_int(int(p.capacity[f].sum())),
            fmt_int(int(p.eligible[:, f].sum())),
        ]
        for f, fac in enumerate(p.facilities)
    ]
    body += h3(_("Capacity and projects"))
    body += (
        "<p>"
        + esc(
            _(
                "Capacity is an upper limit summed over the years, not a target: it can "
                "exceed the projects planned, which are bounded by the candidate counties."
            )
        )
        + "</p>"
    )
    body += table(
        [
            _("Facility type"),
            _("Projects planned"),
            _("Capacity over all years"),
            _("Candidate counties"),
        ],
        rows,
        cls="compact",
    )
    return ReportSection("method", _("Method and solver figures"), body, ORDER)
