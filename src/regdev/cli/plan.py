"""`regdev plan`: the optimal ten-year rollout plan, its report and explanations.

``regdev plan [--scenario FILE] [--regions FILE] [--out DIR] [--no-history]
[--time-limit S] [--explain-last N] [--per-year N|auto] [--catalogue DIR] [--xlsx]
[--compare-with DIR] [--json]`` plans the default
(or given) country and writes a plan folder (``report.html`` in the language of
``regdev --lang ko|en``); ``regdev plan explain REGION`` explains one region of a written
plan; ``regdev plan compare A B [--html FILE]`` compares two plan folders;
``regdev plan export-xlsx DIR [--out FILE]`` writes the folder's tables as an Excel
workbook.  The factory-design commands are added by :mod:`regdev.cli.design`.

Messages go through :mod:`regdev.i18n` (domain ``cli``).

The commands parse their options, call :mod:`regdev.pipeline` (the same
functions as the Python API :func:`regdev.plan`) and render the result.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from regdev.cli import design as _design
from regdev.cli import plan_frontier as _frontier
from regdev.cli._common import console, echo_json, err_console
from regdev.i18n import _, current_language

if TYPE_CHECKING:
    from regdev.pipeline import PlanResult
    from regdev.registry import RegionRegistry

app = typer.Typer(no_args_is_help=False)
_design.register(app)
_frontier.register(app)  # issue 9: regdev plan frontier

ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", help=_("Scenario TOML (merged over the shipped defaults).")),
]
RegionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--regions",
        help=_("Region table (CSV, XLSX, GeoJSON, GPKG, Parquet); default: embedded DPRK."),
    ),
]
OutOpt = Annotated[
    Path, typer.Option("--out", help=_("Plan folder to write (replaced atomically)."))
]
NoHistoryOpt = Annotated[
    bool, typer.Option("--no-history", help=_("Plan from scratch: do not lock the real cohorts."))
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help=_("Solver time limit, seconds."))
]
ExplainOpt = Annotated[
    int,
    typer.Option(
        "--explain-last",
        min=0,
        help=_(
            "Re-solve for the cost of moving the factories one year earlier for this many "
            "lowest-ranked regions scheduled last."
        ),
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help=_("Machine-readable JSON summary on stdout."))
]
PerYearOpt = Annotated[
    str | None,
    typer.Option(
        "--per-year",
        metavar="N|auto",
        help=_(
            "Factory groups per year (overrides the scenario); 'auto' = enough to reach every "
            "region within the horizon, with every other capacity scaled the same way."
        ),
    ),
]

CatalogueOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalogue",
        help=_(
            "Factory-design catalogue folder (lines.csv, demand.csv, supply.csv, unused.csv; "
            "missing files are the packaged ones); default: the packaged catalogue."
        ),
    ),
]


ActualsOpt = Annotated[
    str | None,
    typer.Option(
        "--actuals",
        metavar="SOURCE",
        help=_(
            "Re-plan from the tracked projects: a monitoring database URL, a `regdev db backup` "
            "file or a projects CSV export. Built and started projects are fixed with their real "
            "dates, late ones carry their slip, cancelled ones return to the pool."
        ),
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="YYYY-MM-DD", help=_("Date of the actuals (default: today).")),
]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help=_(
            "Previous plan folder for changes.csv and the report's 'what changed' section "
            "(default with --actuals: the --out folder's existing plan)."
        ),
    ),
]


def _actuals(source: str | None, as_of: str | None) -> Any:
    """The pipeline's :class:`~regdev.pipeline.Actuals` from ``--actuals`` / ``--as-of``."""
    if source is None:
        if as_of is not None:
            msg = _("--as-of needs --actuals")
            raise typer.BadParameter(msg)
        return None
    import datetime as dt

    from regdev.monitoring.actuals import read_actual_records
    from regdev.pipeline import Actuals
    from regdev.planning.actuals import facts_from_records

    try:
        day = dt.date.today() if as_of is None else dt.date.fromisoformat(as_of)
    except ValueError:
        msg = _("--as-of: expected a date YYYY-MM-DD, got {got}", got=repr(as_of))
        raise typer.BadParameter(msg) from None
    records, label = read_actual_records(source)
    facts = facts_from_records(records, as_of=day, source="actuals")
    return Actuals(tuple(facts), label, day)


def _registry(path: Path | None) -> RegionRegistry | None:
    """A user table, read here so its gaps are printed as warnings (issue 17); None = default."""
    from regdev.cli.data import load_registry

    return None if path is None else load_registry(path, report=True)


def _per_year_updates(value: str | None) -> dict[str, Any]:
    """Scenario updates for ``--per-year N|auto`` (issue 17); usage error otherwise."""
    if value is None:
        return {}
    if value.strip().lower() == "auto":
        return {"factories": {"per_year": "auto"}, "capacity": {"scale": "auto"}}
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        msg = _("--per-year: expected a whole number >= 0 or 'auto', got {value!r}", value=value)
        raise typer.BadParameter(msg)
    return {"factories": {"per_year": n}}


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )


def _summary(result: PlanResult, out: Path) -> dict[str, Any]:
    return {**result.summary(), "out_dir": str(out), "report": str(out / "report.html")}


def _print_summary(info: dict[str, Any]) -> None:
    table = Table(title="regdev plan", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    gain = ""
    if info["greedy_objective"]:
        share = (info["objective"] - info["greedy_objective"]) / info["greedy_objective"]
        gain = "  " + _(
            "(greedy baseline {greedy}, {gain})",
            greedy=format(info["greedy_objective"], ".4f"),
            gain=format(100 * share, "+.3f") + " %",
        )
    rows = [
        (_("status"), info["status"]),
        (
            _("objective"),
            _(
                "{value} million equity-weighted benefit-years",
                value=format(info["objective"], ".6f"),
            )
            + gain,
        ),
        (_("best bound / gap"), f"{info['bound']:.6f} / {info['gap']:.2e}"),
        (_("solve time"), f"{info['solve_time_s']:.2f} s"),
        (
            _("regions / projects"),
            _(
                "{regions} / {projects} ({locked} locked)",
                regions=info["n_regions"],
                projects=info["n_projects"],
                locked=info["n_locked"],
            ),
        ),
        (
            _("factories per year"),
            ", ".join(f"{y}: {n}" for y, n in info["factories_per_year"].items()),
        ),
        (_("left out"), str(info["n_left_out"])),
        (_("conflicts with the data"), str(len(info.get("history_conflicts", [])))),
        (_("total cost"), f"{info['total_cost']:,.1f} {info.get('unit_of_account', 'M USD')}"),
        (_("plan folder"), info["out_dir"]),
        (_("report"), info["report"]),
    ]
    if info.get("xlsx"):
        rows.append((_("workbook"), info["xlsx"]))
    for k, v in rows:
        table.add_row(k, str(v))
    console.print(table)
    # the path on a line of its own, never truncated, so it can be copied from any terminal width
    console.print(
        _("open the report: {path}", path=info["report"]), soft_wrap=True, highlight=False
    )


@app.callback(
    invoke_without_command=True,
    help=_("Plan the ten-year rollout and write the plan folder with report.html."),
)
def plan(
    ctx: typer.Context,
    scenario: ScenarioOpt = None,
    regions: RegionsOpt = None,
    out: OutOpt = Path("out/plan"),
    no_history: NoHistoryOpt = False,
    time_limit: TimeLimitOpt = 60.0,
    explain_last: ExplainOpt = 20,
    as_json: JsonOpt = False,
    per_year: PerYearOpt = None,
    catalogue: CatalogueOpt = None,
    xlsx: Annotated[
        bool, typer.Option("--xlsx", help=_("Also write plan.xlsx (every table of the folder)."))
    ] = False,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare-with",
            help=_("A previous plan folder: report.html gets a section comparing the two."),
        ),
    ] = None,
    actuals_source: ActualsOpt = None,
    as_of: AsOfOpt = None,
    previous: PreviousOpt = None,
) -> None:
    """Plan the ten-year rollout and write the plan folder with report.html."""
    if ctx.invoked_subcommand is not None:
        return
    # issue 17: --per-year N|auto overrides the scenario's cadence (and, for auto, capacities)
    updates = _per_year_updates(per_year)
    from regdev.pipeline import PlanOptions, write_plan
    from regdev.pipeline import Progress as Step
    from regdev.pipeline import plan as run_plan
    from regdev.planning import load_scenario
    from regdev.planning.history import HistoryConflictWarning
    from regdev.planning.scenario import with_cli_updates

    options = PlanOptions(
        time_limit=time_limit,
        explain_last=explain_last,
        history=False if no_history else None,
        catalogue=None if catalogue is None else str(catalogue),
    )
    if catalogue is not None:  # checked before the plan is solved: FILE:ROW:COLUMN problems
        from regdev.design import load_catalogue_dir

        load_catalogue_dir(catalogue)
    with _progress(as_json) as progress:
        task = progress.add_task(_("loading regions and scenario"), total=None)
        sc = load_scenario(scenario)
        if updates:
            sc = with_cli_updates(sc, updates)
        registry = _registry(regions)
        actuals = _actuals(actuals_source, as_of)
        if previous is None and actuals is not None and (out / "schedule.csv").is_file():
            previous = out  # read before the folder is replaced

        def show(event: Step) -> None:
            progress.update(
                task, description=event.message, total=event.total, completed=event.done
            )

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HistoryConflictWarning)
            result = run_plan(
                registry, sc, options=options, progress=show, actuals=actuals, previous=previous
            )
        # issue 10: a lock or the events contradicting the data is said, never silent
        for w in caught:
            if issubclass(w.category, HistoryConflictWarning):
                label = _("warning:")
                err_console.print(f"[yellow]{label}[/] {w.message}", highlight=False)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if not result.has_solution:
            msg = _(
                "no plan: the solver ended with status {status!r}; raise --time-limit",
                status=result.status,
            )
            label = _("error:")
            err_console.print(f"[bold red]{label}[/] {msg}")
            raise typer.Exit(code=1)
        if compare_with is not None:
            result = _with_comparison(result, compare_with)
        progress.update(task, description=_("writing the plan folder"), total=None, completed=0)
        write_plan(result, out)
        book = None
        if xlsx:
            progress.update(task, description=_("writing plan.xlsx"), total=None, completed=0)
            book = _write_xlsx(out, None)
    info = _summary(result, out)
    if book is not None:
        info["xlsx"] = str(book)
    if as_json:
        echo_json(info)
    else:
        _print_summary(info)
        if result.status != "optimal":
            msg = _(
                "not proven optimal (status {status}, gap {gap})",
                status=result.status,
                gap=format(result.plan.gap, ".2e"),
            )
            label = _("warning:")
            err_console.print(f"[yellow]{label}[/] {msg}")


@app.command(
    "explain",
    help=_(
        "Explain one region: its years, binding constraints, and the cost of moving its factories earlier."
    ),
)
def explain(
    region: Annotated[str, typer.Argument(help=_("Region id, name or alias."))],
    plan_dir: Annotated[
        Path, typer.Option("--plan-dir", help=_("Plan folder written by `regdev plan`."))
    ] = Path("out/plan"),
    regions: RegionsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Explain one region: its years, binding constraints, and the cost of moving its factories earlier."""
    from regdev.pipeline import explain as explain_region
    from regdev.reporting.labels import facility_label, family_label, lock_label

    with _progress(as_json) as progress:
        progress.add_task(
            _("re-solving with {region}'s factories one year earlier", region=region), total=None
        )
        explained = explain_region(region, plan_dir, regions=regions)
    dossier = explained.dossier
    problem = explained.plan.problem
    if as_json:
        echo_json(dossier)
        return
    console.print(f"[bold]{dossier['name']}[/] ({dossier['region_id']}), {dossier['province']}")
    console.print(
        _(
            "population {pop} · development index {dev} · equity weight {w} (rank {rank} of {n})",
            pop=format(dossier["population"], ",.0f"),
            dev=format(dossier["development_index"], ".3f"),
            w=format(dossier["equity_weight"], ".3f"),
            rank=dossier["equity_rank"],
            n=problem.n_regions,
        ),
        highlight=False,
    )
    unit = (problem.metadata.get("unit_of_account") or {}).get("name", "M USD")
    table = Table(
        _("type"),
        _("year"),
        _("tier"),
        _("cost {unit}", unit=unit),
        _("value"),
        _("not earlier because"),
        _("fixed"),
    )
    for fac, pr in dossier["projects"].items():
        table.add_row(
            facility_label(fac),
            str(pr["year"]),
            str(pr["tier"]),
            f"{pr['cost']:.2f}",
            f"{pr['value']:.4f}",
            "; ".join(family_label(b) for b in pr["binding"] if b != "lock") or "-",
            lock_label(pr["lock_source"]) if pr["locked"] else "",
        )
    console.print(table)
    console.print(
        _("value: million weighted person-years the project adds to the plan's goal"),
        highlight=False,
    )
    for fac, why in dossier["left_out"].items():
        console.print(
            _("no {facility} within the horizon: {why}", facility=facility_label(fac), why=why)
        )
    fd = dossier.get("factory_design")
    if fd:
        console.print(
            _(
                "factory design (the plan's, as in factories.csv): {n} lines, {jobs} jobs, "
                "capital {capital} {unit}",
                n=len(fd["lines"]),
                jobs=format(fd["jobs"], ","),
                capital=format(fd["capital_cost"], ",.2f"),
                unit=unit,
            ),
            highlight=False,
        )
        for ln in fd["lines"]:
            console.print(f"  - {ln}", highlight=False)
    mv = dossier["move_factory_earlier"]
    if mv and mv.get("feasible"):
        share = 100 * (mv["cost_share"] or 0)
        console.print(
            _(
                "moving the factories from {a} to {b} costs {cost} ({share} % of the objective)",
                a=mv["from_year"],
                b=mv["to_year"],
                cost=format(mv["cost"], ".6f"),
                share=format(share, ".5f"),
            )
            + (" — " + _("a tie") if share < 0.01 else ""),
            highlight=False,
        )
    elif mv:
        console.print(
            _("moving the factories earlier: not possible ({reason})", reason=mv.get("reason"))
        )


def _with_comparison(result: PlanResult, previous: Path) -> PlanResult:
    """The result with its report rebuilt to end in a comparison with ``previous``."""
    import dataclasses

    from regdev.reporting import build_report
    from regdev.reporting.compare import compare_schedules, read_schedule
    from regdev.reporting.parts.compare import comparison_section

    if result.report is None:
        return result
    cmp = compare_schedules(
        read_schedule(previous),
        result.schedule,
        label_a=previous.name,
        label_b=_("this plan"),
        registry=result.registry,
    )
    report = build_report(
        result.plan,
        list(result.dossiers),
        design=result.design,
        registry=result.registry,
        tables=result.tables,
        extra_sections=[comparison_section(cmp)],
    )
    return dataclasses.replace(result, report=report)


def _write_xlsx(plan_dir: Path, out: Path | None) -> Path:
    """``plan.xlsx`` of a plan folder, facility types in words (current language)."""
    from regdev.reporting.labels import FACILITY_LABELS
    from regdev.reporting.xlsx import write_plan_xlsx

    labels = {"facility": {k: _(v) for k, v in FACILITY_LABELS.items()}}
    return write_plan_xlsx(plan_dir, out, value_labels=labels)


@app.command(
    "export-xlsx",
    help=_("Write every table of a plan folder as one Excel workbook (one sheet per table)."),
)
def export_xlsx(
    plan_dir: Annotated[Path, typer.Argument(help=_("Plan folder written by `regdev plan`."))],
    out: Annotated[
        Path | None, typer.Option("--out", help=_("Workbook to write (default DIR/plan.xlsx)."))
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every table of a plan folder as one Excel workbook (one sheet per table)."""
    from regdev.errors import NotFoundError

    if not plan_dir.is_dir():
        raise NotFoundError(_("{path}: not a plan folder (no such directory)", path=plan_dir))
    book = _write_xlsx(plan_dir, out)
    if as_json:
        echo_json({"xlsx": str(book)})
    else:
        console.print(_("wrote {path}", path=book), soft_wrap=True, highlight=False)


@app.command(
    "compare",
    help=_("Compare two plan folders: projects moved, added or dropped, cost and coverage."),
)
def compare(
    plan_a: Annotated[Path, typer.Argument(help=_("Reference plan folder (A)."))],
    plan_b: Annotated[Path, typer.Argument(help=_("Alternative plan folder (B)."))],
    html: Annotated[
        Path | None,
        typer.Option("--html", help=_("Also write the comparison as a self-contained HTML page.")),
    ] = None,
    rows: Annotated[int, typer.Option("--rows", min=0, help=_("Moved projects to list."))] = 15,
    as_json: JsonOpt = False,
) -> None:
    """Compare two plan folders: projects moved, added or dropped, cost and coverage."""
    from regdev._atomic import atomic_write_text
    from regdev.reporting.compare import compare_plans
    from regdev.reporting.labels import facility_label
    from regdev.reporting.parts.compare import comparison_page

    cmp = compare_plans(plan_a, plan_b)
    if html is not None:
        atomic_write_text(html, comparison_page(cmp))
    if as_json:
        echo_json(
            {
                "a": str(plan_a),
                "b": str(plan_b),
                "moved": len(cmp.moved),
                "added": len(cmp.added),
                "dropped": len(cmp.dropped),
                "total_cost_a": cmp.total_cost_a,
                "total_cost_b": cmp.total_cost_b,
                "cost_per_year": cmp.cost_per_year.to_dict("records"),
                "coverage": cmp.coverage.to_dict("records"),
                "html": None if html is None else str(html),
            }
        )
        return
    console.print(cmp.summary(), soft_wrap=True, highlight=False)
    cost = Table(_("year"), _("cost in A"), _("cost in B"), _("difference (B – A)"))
    for r in cmp.cost_per_year.itertuples():
        cost.add_row(str(r.year), f"{r.cost_a:,.1f}", f"{r.cost_b:,.1f}", f"{r.difference:+,.1f}")
    console.print(cost)
    if len(cmp.moved) and rows:
        moved = Table(_("region"), _("facility"), _("year in A"), _("year in B"))
        for r in cmp.moved.head(rows).itertuples():
            name = (getattr(r, "name_ko", None) if current_language() == "ko" else None) or (
                getattr(r, "name", None) or r.region_id
            )
            moved.add_row(str(name), facility_label(str(r.facility)), str(r.year_a), str(r.year_b))
        console.print(moved)
        if len(cmp.moved) > rows:
            console.print(_("… and {n} more moved projects", n=len(cmp.moved) - rows))
    if html is not None:
        console.print(_("wrote {path}", path=html), soft_wrap=True, highlight=False)
