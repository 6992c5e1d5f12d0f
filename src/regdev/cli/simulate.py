"""`regdev simulate`: what a plan does to the regional economy, with its uncertainty.

``regdev simulate PLAN_DIR [--compare OTHER_PLAN_DIR] [--scenarios N] [--seed S]
[--scheduler local|serial|tcp://HOST:PORT] [--workers N] [--sobol N] [--coefficients FILE]
[--actuals EVENTS.csv] [--out DIR] [--json]`` parses, calls
:func:`regdev.simulation.simulate` (the Python API) and writes the outcomes folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from regdev.cli._common import console, echo_json, err_console
from regdev.i18n import _

if TYPE_CHECKING:
    import pandas as pd


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


def _database_actuals(url: str) -> tuple[list[float], pd.DataFrame]:
    """Durations (months) and openings of the monitoring database's projects."""
    import pandas as pd
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from regdev.errors import ConfigError
    from regdev.monitoring.db import make_engine

    query = text(
        "SELECT region_id, facility, actual_groundbreaking, actual_inauguration FROM projects "
        "WHERE actual_inauguration IS NOT NULL"
    )
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        engine.dispose()
    except SQLAlchemyError as exc:
        msg = _(
            "--actuals {url}: cannot read the projects: {err}",
            url=url,
            err=str(exc).splitlines()[0],
        )
        raise ConfigError(msg) from exc
    from regdev.simulation.slip import fractional_year

    out = []
    opened = []
    for region_id, facility, start, end in rows:
        opened.append((str(region_id), str(facility), fractional_year(pd.Timestamp(end))))
        if start is None:
            continue
        days = (pd.Timestamp(end) - pd.Timestamp(start)).days
        if days > 0:
            out.append(days / (365.25 / 12.0))
    return out, pd.DataFrame(opened, columns=["region_id", "facility", "opened"])


def _actuals(source: str) -> tuple[list[float], pd.DataFrame]:
    """Construction durations and real openings from a monitoring database URL or an events CSV."""
    import pandas as pd

    from regdev.errors import DataValidationError
    from regdev.simulation.slip import event_durations_months, event_openings

    if "://" in source:
        return _database_actuals(source)
    path = Path(source)

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"region_id", "facility", "event", "date"}
    missing = sorted(need - set(frame.columns))
    if missing:
        msg = _(
            "{file}: missing column(s) {cols}; expected region_id, facility, event, date",
            file=str(path),
            cols=", ".join(missing),
        )
        raise DataValidationError([msg])
    try:
        return list(event_durations_months(frame)["months"]), event_openings(frame)
    except ValueError as exc:
        msg = _(
            "{file}: column date: expected YYYY-MM or YYYY-MM-DD; {err}",
            file=str(path),
            err=str(exc),
        )
        raise DataValidationError([msg]) from exc


def simulate(
    plan_dir: Annotated[
        Path, typer.Argument(help=_("Plan folder written by `regdev plan --out DIR`."))
    ],
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help=_("An alternative plan folder, same scenarios.")),
    ] = None,
    scenarios: Annotated[
        int, typer.Option("--scenarios", min=1, help=_("Monte Carlo scenarios."))
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Random seed (same seed, same numbers)."))
    ] = 0,
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            help=_("'local' (a local Dask cluster), 'serial' (no Dask) or tcp://HOST:PORT."),
        ),
    ] = "local",
    workers: Annotated[
        int, typer.Option("--workers", min=1, help=_("Workers of the local cluster."))
    ] = 2,
    sobol: Annotated[
        int, typer.Option("--sobol", min=0, help=_("Sobol base sample (power of two; 0 = skip)."))
    ] = 128,
    coefficients: Annotated[
        Path | None,
        typer.Option("--coefficients", help=_("TOML merged over the shipped coefficients.")),
    ] = None,
    actuals: Annotated[
        str | None,
        typer.Option(
            "--actuals",
            help=_(
                "Monitoring database URL (sqlite:///regdev.db, postgresql://...) or a CSV of "
                "real events (region_id, facility, event, date): their groundbreaking-inauguration "
                "durations join the construction-slip fit."
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=_("Outcomes folder (default PLAN_DIR/simulation)."))
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help=_("Machine-readable summary on stdout."))
    ] = False,
) -> None:
    """Simulate what a plan does to the regional economy and to the gap between regions."""
    from regdev.reporting.simulation import simulation_page
    from regdev.simulation import simulate as run

    durations, openings = _actuals(actuals) if actuals is not None else ([], None)
    dest = out if out is not None else plan_dir / "simulation"
    with _progress(json_out) as bar:
        tasks: dict[str, TaskID] = {}

        def say(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_(stage), total=total)
            bar.update(tasks[stage], completed=done)

        result = run(
            plan_dir,
            compare=compare,
            n_scenarios=scenarios,
            seed=seed,
            scheduler=scheduler,
            n_workers=workers,
            sobol_samples=sobol,
            coefficients=coefficients,
            slip_durations_months=durations,
            openings=openings,
            progress=say,
        )
        result.write(dest, html=simulation_page(result))
    info = {**result.summary(), "out_dir": str(dest), "elapsed_s": result.metadata["elapsed_s"]}
    if json_out:
        echo_json(info)
        return
    last = info["last_year"]
    table = Table(title="regdev simulate", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, label in (
        ("gini", _("Gini")),
        ("capital_ratio", _("capital–region ratio")),
        ("mean_income", _("mean real income, USD")),
    ):
        p = info[f"{key}_plan_{last}"]
        c = info[f"{key}_counterfactual_{last}"]
        table.add_row(
            f"{label} {last}",
            _(
                "plan {p:.4g} [{lo:.4g}–{hi:.4g}], no programme {c:.4g}",
                p=p["q50"],
                lo=p["q05"],
                hi=p["q95"],
                c=c["q50"],
            ),
        )
    table.add_row(
        _("regions reaching the target (p ≥ 0.5)"), str(info["regions_reaching_target_p50"])
    )
    table.add_row(_("scenarios"), str(scenarios))
    table.add_row(_("outcomes folder"), str(dest))
    console.print(table)
    console.print(
        _("open the report: {path}", path=str(dest / "simulation.html")),
        soft_wrap=True,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``regdev simulate`` to the root ``app``."""
    app.command(
        "simulate",
        help=_("Simulate what a plan does to the regional economy and to the gap between regions."),
    )(simulate)
