"""`regdev plan`: the optimal ten-year rollout plan, its report and explanations.

``regdev plan [--scenario FILE] [--regions FILE] [--out DIR] [--no-history]
[--time-limit S] [--explain-last N] [--per-year N|auto] [--catalogue DIR] [--json]`` plans the default (or given)
country and writes a plan folder; ``regdev plan explain REGION`` explains
one region of a written plan.  The factory-design commands are added by
:mod:`regdev.cli.design`.

The commands parse their options, call :mod:`regdev.pipeline` (the same
functions as the Python API :func:`regdev.plan`) and render the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from regdev.cli import design as _design
from regdev.cli import plan_frontier as _frontier
from regdev.cli._common import console, echo_json, err_console

if TYPE_CHECKING:
    from regdev.pipeline import PlanResult
    from regdev.registry import RegionRegistry

app = typer.Typer(no_args_is_help=False)
_design.register(app)
_frontier.register(app)  # issue 9: regdev plan frontier

ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", help="Scenario TOML (merged over the shipped defaults)."),
]
RegionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--regions",
        help="Region table (CSV, XLSX, GeoJSON, GPKG, Parquet); default: embedded DPRK.",
    ),
]
OutOpt = Annotated[Path, typer.Option("--out", help="Plan folder to write (replaced atomically).")]
NoHistoryOpt = Annotated[
    bool, typer.Option("--no-history", help="Plan from scratch: do not lock the real cohorts.")
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Solver time limit, seconds.")
]
ExplainOpt = Annotated[
    int,
    typer.Option(
        "--explain-last",
        min=0,
        help="Re-solve for the cost of moving the factories one year earlier for this many "
        "lowest-ranked regions scheduled last.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON summary on stdout.")]
PerYearOpt = Annotated[
    str | None,
    typer.Option(
        "--per-year",
        metavar="N|auto",
        help="Factory groups per year (overrides the scenario); 'auto' = enough to reach every "
        "region within the horizon, with every other capacity scaled the same way.",
    ),
]

CatalogueOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalogue",
        help="Factory-design catalogue folder (lines.csv, demand.csv, supply.csv, unused.csv; "
        "missing files are the packaged ones); default: the packaged catalogue.",
    ),
]


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
        msg = f"--per-year: expected a whole number >= 0 or 'auto', got {value!r}"
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
        gain = f"  (greedy baseline {info['greedy_objective']:.4f}, {100 * (info['objective'] - info['greedy_objective']) / info['greedy_objective']:+.3f} %)"
    rows = [
        ("status", info["status"]),
        ("objective", f"{info['objective']:.6f} million equity-weighted benefit-years{gain}"),
        ("best bound / gap", f"{info['bound']:.6f} / {info['gap']:.2e}"),
        ("solve time", f"{info['solve_time_s']:.2f} s"),
        (
            "regions / projects",
            f"{info['n_regions']} / {info['n_projects']} ({info['n_locked']} locked)",
        ),
        (
            "factories per year",
            ", ".join(f"{y}: {n}" for y, n in info["factories_per_year"].items()),
        ),
        ("left out", str(info["n_left_out"])),
        ("total cost", f"{info['total_cost']:,.1f} MCU"),
        ("plan folder", info["out_dir"]),
        ("report", info["report"]),
    ]
    for k, v in rows:
        table.add_row(k, str(v))
    console.print(table)
    # the path on a line of its own, never truncated, so it can be copied from any terminal width
    console.print(f"open the report: {info['report']}", soft_wrap=True, highlight=False)


@app.callback(invoke_without_command=True)
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
        task = progress.add_task("loading regions and scenario", total=None)
        sc = load_scenario(scenario)
        if updates:
            sc = with_cli_updates(sc, updates)
        registry = _registry(regions)

        def show(event: Step) -> None:
            progress.update(
                task, description=event.message, total=event.total, completed=event.done
            )

        result = run_plan(registry, sc, options=options, progress=show)
        if not result.has_solution:
            msg = f"no plan: the solver ended with status {result.status!r}; raise --time-limit"
            err_console.print(f"[bold red]error:[/] {msg}")
            raise typer.Exit(code=1)
        progress.update(task, description="writing the plan folder", total=None, completed=0)
        write_plan(result, out)
    info = _summary(result, out)
    if as_json:
        echo_json(info)
    else:
        _print_summary(info)
        if result.status != "optimal":
            err_console.print(
                f"[yellow]warning:[/] not proven optimal (status {result.status}, gap {result.plan.gap:.2e})"
            )


@app.command("explain")
def explain(
    region: Annotated[str, typer.Argument(help="Region id, name or alias.")],
    plan_dir: Annotated[
        Path, typer.Option("--plan-dir", help="Plan folder written by `regdev plan`.")
    ] = Path("out/plan"),
    regions: RegionsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Explain one region: its years, binding constraints, and the cost of moving its factories earlier."""
    from regdev.pipeline import explain as explain_region

    with _progress(as_json) as progress:
        progress.add_task(f"re-solving with {region}'s factories one year earlier", total=None)
        explained = explain_region(region, plan_dir, regions=regions)
    dossier = explained.dossier
    problem = explained.plan.problem
    if as_json:
        echo_json(dossier)
        return
    console.print(f"[bold]{dossier['name']}[/] ({dossier['region_id']}), {dossier['province']}")
    console.print(
        f"population {dossier['population']:,.0f} · development index {dossier['development_index']:.3f} "
        f"· equity weight {dossier['equity_weight']:.3f} (rank {dossier['equity_rank']} of {problem.n_regions})"
    )
    table = Table("type", "year", "tier", "cost MCU", "value", "binding", "locked")
    for fac, pr in dossier["projects"].items():
        table.add_row(
            fac,
            str(pr["year"]),
            str(pr["tier"]),
            f"{pr['cost']:.2f}",
            f"{pr['value']:.4f}",
            ", ".join(pr["binding"]) or "-",
            pr["lock_source"] or "",
        )
    console.print(table)
    for fac, why in dossier["left_out"].items():
        console.print(f"no {fac} within the horizon: {why}")
    mv = dossier["move_factory_earlier"]
    if mv and mv.get("feasible"):
        console.print(
            f"moving the factories from {mv['from_year']} to {mv['to_year']} costs {mv['cost']:.6f} "
            f"({100 * (mv['cost_share'] or 0):.5f} % of the objective)"
        )
    elif mv:
        console.print(f"moving the factories earlier: not possible ({mv.get('reason')})")
