"""``regdev plan frontier``: the budget → benefit frontier (issue 9).

For several uniform annual budgets, the best plan in coverage mode "at most
once within budget" (:mod:`regdev.planning.frontier`): objective, share of the
unlimited plan, gap, greedy baseline, projects and payments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from regdev.cli._common import console, echo_json, err_console
from regdev.i18n import _


def _levels(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(v < 0 for v in values):
        msg = _(
            "--levels: expected comma-separated budgets >= 0 in the unit of account, got {text!r}",
            text=text,
        )
        raise typer.BadParameter(msg)
    return values


def register(app: typer.Typer) -> None:
    """Add ``frontier`` to the ``plan`` sub-app."""

    @app.command(
        "frontier", help=_("Print the best plan's benefit for several uniform annual budgets.")
    )
    def frontier_cmd(
        levels: Annotated[
            str | None,
            typer.Option(
                "--levels",
                help=_(
                    "Annual budgets in the unit of account (scenario [money]), comma-separated (default: six levels from what the "
                    "locked projects need to the unlimited plan's peak)."
                ),
            ),
        ] = None,
        scenario: Annotated[
            Path | None, typer.Option("--scenario", help=_("Scenario TOML over the defaults."))
        ] = None,
        regions: Annotated[
            Path | None, typer.Option("--regions", help=_("Region table; default: embedded DPRK."))
        ] = None,
        no_history: Annotated[
            bool,
            typer.Option("--no-history", help=_("Plan from scratch (no real cohorts locked).")),
        ] = False,
        time_limit: Annotated[
            float, typer.Option("--time-limit", min=0.1, help=_("Seconds per budget level."))
        ] = 30.0,
        gap: Annotated[
            float, typer.Option("--gap", min=0.0, help=_("Relative gap tolerance per level."))
        ] = 1e-3,
        as_json: Annotated[bool, typer.Option("--json", help=_("JSON records on stdout."))] = False,
    ) -> None:
        """Print the best plan's benefit for several uniform annual budgets."""
        from regdev.cli.data import load_registry
        from regdev.planning import SolverOptions, build_problem, load_scenario
        from regdev.planning.frontier import budget_frontier
        from regdev.registry import load_default

        chosen = _levels(levels)
        registry = load_default() if regions is None else load_registry(regions, report=True)
        problem = build_problem(
            registry, load_scenario(scenario), history=False if no_history else None
        )
        unit = problem.unit_name
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress:
            task = progress.add_task(_("solving budget levels"), total=None)

            def show(done: int, total: int, level: float) -> None:
                progress.update(
                    task,
                    completed=done,
                    total=total,
                    description=_("budget {level} {unit} a year", level=round(level, 1), unit=unit),
                )

            table = budget_frontier(
                problem,
                chosen,
                options=SolverOptions(time_limit=time_limit, mip_rel_gap=gap),
                progress=show,
            )
        if as_json:
            records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
            for rec in records:  # JSON has no infinity: the unlimited level's budget is null
                rec.update({k: None for k, v in rec.items() if v == float("inf")})
            echo_json(records)
            return
        out = Table(title=_("Budget → benefit frontier (at most once within budget)"))
        for head in (
            _("budget {unit}/year", unit=unit),
            _("status"),
            _("objective"),
            _("share of unlimited"),
            _("gap"),
            _("vs greedy"),
            _("projects"),
            _("factories"),
            _("paid in horizon {unit}", unit=unit),
        ):
            out.add_column(head, justify="right")
        for r in table.itertuples():
            if r.status == "infeasible":
                out.add_row(f"{r.budget:,.1f}", r.status, "—", "—", "—", "—", "—", "—", "—")
                continue
            out.add_row(
                "∞" if r.budget == float("inf") else f"{r.budget:,.1f}",
                str(r.status),
                f"{r.objective:.3f}",
                f"{100 * r.share_of_unlimited:.1f} %",
                f"{r.gap:.1e}",
                "—"
                if r.gain_over_greedy_pct != r.gain_over_greedy_pct
                or r.gain_over_greedy_pct is None
                else f"{r.gain_over_greedy_pct:+.2f} %",
                str(r.n_projects),
                str(r.n_factories),
                f"{r.paid_in_horizon:,.0f}",
            )
        console.print(out)
        for r in table.itertuples():
            if r.status == "infeasible":
                err_console.print(f"[yellow]{r.budget:,.1f} {unit}:[/] {r.reason}")
