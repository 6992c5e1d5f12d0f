"""Evaluation commands: ``appraise``, ``emulate``, ``quality``, ``customers``.

``appraise`` reads a plan folder (ex ante) or the monitoring database (ex post); the other
three read the database (``--db``, default ``REGDEV_DATABASE_URL``) as an operator with
national scope.  Every command takes ``--json``; figures from ``regdev db seed-demo`` are
labelled as demo data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from regdev.cli._common import console, echo_json, err_console, fail
from regdev.i18n import _

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help=_("Database URL or SQLite file path (default: REGDEV_DATABASE_URL).")
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Machine-readable output."))]


def _engine(db: str | None) -> Any:
    from regdev.cli.service import _engine as service_engine

    return service_engine(db)


def _read_session(db: str | None) -> Any:
    from regdev.monitoring.db import make_session_factory

    return make_session_factory(_engine(db))()


def _fmt(v: Any, kind: str = "num") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if kind == "pct":
        return f"{100 * float(v):.1f}%"
    if kind == "int":
        return f"{int(v):,}"
    if kind == "money" and abs(float(v)) < 10:
        return f"{float(v):,.3g}"  # e.g. 0.0123 M USD per job, not 0.0
    return f"{float(v):,.1f}"


def _demo_banner(demo: bool) -> None:
    if demo:
        err_console.print(
            "[bold yellow]"
            + _("DEMO DATA: simulated records from `regdev db seed-demo`, not observations")
            + "[/]"
        )


def _progress() -> Any:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,  # no spinner residue in pipes and logs
    )


def appraise(
    region: Annotated[str | None, typer.Argument(help=_("Region id or name."))] = None,
    cohort: Annotated[
        int | None, typer.Option("--cohort", help=_("Appraise every county of this cohort year."))
    ] = None,
    plan_dir: Annotated[
        Path | None,
        typer.Option("--plan", help=_("Plan folder: ex-ante appraisal of its factories.csv.")),
    ] = None,
    simulation: Annotated[
        Path | None,
        typer.Option(
            "--simulation",
            help=_(
                "Simulation outcome folder or factory_outcomes.csv "
                "(region_id, line, operating_year, production)."
            ),
        ),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help=_("Appraisal scenario TOML (discount rate ...).")),
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Appraise factories: cost-effectiveness, NPV / IRR / payback, practicality, sensitivity.

    With --plan, ex ante from the plan folder's design; otherwise ex post from the
    monitoring records.
    """
    from regdev.evaluation.appraisal import appraise_design, read_factories, read_outcomes
    from regdev.evaluation.scenario import load_scenario

    if (region is None) == (cohort is None):
        raise fail(_("give a REGION or --cohort YEAR (not both)"), code=2)
    scen = load_scenario(scenario)
    with _progress() as prog:
        prog.add_task(_("appraising"), total=None)
        if plan_dir is not None:
            import pandas as pd

            from regdev.registry import load_default

            reg = load_default()
            factories = read_factories(plan_dir)
            if region is not None:
                regions = [reg.resolve(region)]
            else:
                sched = pd.read_csv(Path(plan_dir) / "schedule.csv", dtype={"region_id": str})
                regions = sorted(
                    sched.loc[
                        (sched["facility"] == "factories") & (sched["year"] == cohort), "region_id"
                    ]
                )
                if not regions:
                    raise fail(_("no factories of cohort {year} in the plan", year=cohort))
            pop = reg.frame["population"].astype(float).to_dict()
            outcomes = read_outcomes(simulation) if simulation is not None else None
            result = appraise_design(
                factories, regions=regions, population=pop, outcomes=outcomes, scenario=scen
            )
        else:
            from regdev.monitoring import evaluation as ev
            from regdev.monitoring.crud import system_user

            if simulation is not None:
                raise fail(_("--simulation needs --plan (it is an ex-ante input)"), code=2)
            with _read_session(db) as session:
                rid = None
                if region is not None:
                    from regdev.registry import load_default

                    try:
                        rid = load_default().resolve(region)
                    except Exception:  # noqa: BLE001 - a region of another country: use as given
                        rid = region
                result = ev.appraisal(
                    session, system_user(), region_id=rid, cohort=cohort, scenario=scen
                )
    if json_out:
        echo_json(result.to_dict())
        return
    demo = any(n.startswith("DEMO DATA") for n in result.notes)
    _demo_banner(demo)
    # issue 10: money in the plan's unit of account when the plan names one (else kUSD)
    unit, money = result.unit_name, result.money
    t = Table(title=_("Appraisal ({mode}): profitability, {unit}", mode=result.mode, unit=unit))
    for col in (_("Region"), _("Lines"), _("Investment"), _("NPV"), _("IRR"), _("Payback (years)")):
        t.add_column(col, justify="right")
    c = Table(title=_("Cost-effectiveness and practicality"))
    for col in (
        _("Region"),
        _("Cost per beneficiary (USD)"),
        _("Cost per job ({unit})", unit=unit),
        _("Cost per tonne (USD)"),
        _("Capacity use"),
        _("Self-sufficiency"),
        _("Reports on time"),
    ):
        c.add_column(col, justify="right")
    for rid, r in result.counties.iterrows():
        t.add_row(
            str(rid),
            _fmt(r["n_lines"], "int"),
            _fmt(money(r["capex_kusd"]), "money"),
            _fmt(money(r["npv_kusd"]), "money"),
            _fmt(r["irr"], "pct"),
            _fmt(r["payback_years"]),
        )
        c.add_row(
            str(rid),
            _fmt(r["cost_per_beneficiary_usd"]),
            _fmt(money(r["cost_per_job_kusd"]), "money"),
            _fmt(r["cost_per_tonne_usd"]),
            _fmt(r["capacity_use"], "pct"),
            _fmt(r["self_sufficiency"], "pct"),
            _fmt(r["reports_on_time"], "pct"),
        )
    console.print(t)
    console.print(c)
    if len(result.counties) == 1:
        lt = Table(title=_("Lines"))
        for col in (
            _("Line"),
            _("Investment"),
            _("NPV"),
            _("IRR"),
            _("Payback (years)"),
            _("Capacity use"),
        ):
            lt.add_column(col, justify="right")
        for r in result.lines.to_dict("records"):
            lt.add_row(
                str(r["line"]),
                _fmt(money(r["capex_kusd"]), "money"),
                _fmt(money(r["npv_kusd"]), "money"),
                _fmt(r["irr"], "pct"),
                _fmt(r["payback_years"]),
                _fmt(r["utilisation"], "pct"),
            )
        console.print(lt)
    s = Table(title=_("Sensitivity of the NPV ({unit})", unit=unit))
    for col in (_("Parameter"), _("Value"), _("NPV"), _("IRR")):
        s.add_column(col, justify="right")
    for r in result.sensitivity.to_dict("records"):
        s.add_row(
            str(r["parameter"]),
            f"{r['value']:+.2f}",
            _fmt(money(r["npv_kusd"]), "money"),
            _fmt(r["irr"], "pct"),
        )
    console.print(s)
    for note in result.notes:
        console.print(f"[dim]· {note}[/]")


def emulate(
    db: DbOpt = None,
    level: Annotated[str, typer.Option(help=_("county or factory."))] = "county",
    year: Annotated[int | None, typer.Option(help=_("Year to rank (default: latest)."))] = None,
    peer: Annotated[str | None, typer.Option(help=_("Only this peer group."))] = None,
    draws: Annotated[int, typer.Option(help=_("Monte Carlo draws of the rank intervals."))] = 1000,
    seed: Annotated[int, typer.Option(help=_("Seed of the draws."))] = 0,
    top: Annotated[int, typer.Option(help=_("Rows to print (0 = all)."))] = 30,
    json_out: JsonOpt = False,
) -> None:
    """League table of the emulation drive: composite score, rank with interval, peers, change."""
    from regdev.monitoring import evaluation as ev
    from regdev.monitoring.crud import system_user

    if level not in ("county", "factory"):
        raise fail(_("--level must be county or factory"), code=2)
    if not 10 <= draws <= 100_000:
        raise fail(_("--draws must be 10 … 100000"), code=2)
    with _read_session(db) as session, _progress() as prog:
        prog.add_task(_("ranking with {n} Monte Carlo draws", n=draws), total=None)
        data = ev.league(
            session,
            system_user(),
            level=level,
            year=year,
            peer_group=peer,
            n_draws=draws,
            seed=seed,
        )
    if json_out:
        echo_json(data)
        return
    _demo_banner(bool(data["demo"]))
    t = Table(
        title=_(
            "League table {year} ({n} draws, seed {seed})", year=data["period"], n=draws, seed=seed
        )
    )
    for col in (
        _("Rank"),
        _("Interval"),
        _("Name"),
        _("Peer group"),
        _("Peer rank"),
        _("Score"),
        _("Change"),
    ):
        t.add_column(col)
    rows = data["data"] if top <= 0 else data["data"][:top]
    for r in rows:
        t.add_row(
            _fmt(r["rank"], "int"),
            f"{_fmt(r['rank_p05'], 'int')}–{_fmt(r['rank_p95'], 'int')}",
            str(r["name"]),
            _(str(r["peer_group"])),
            _fmt(r["peer_rank"], "int"),
            _fmt(None if r["score"] is None else 100 * r["score"]),
            _fmt(None if r["delta_score"] is None else 100 * r["delta_score"]),
        )
    console.print(t)


def quality_cmd(
    db: DbOpt = None,
    region: Annotated[str | None, typer.Option(help=_("Only this region."))] = None,
    site: Annotated[int | None, typer.Option(help=_("Chart of this site (with --line)."))] = None,
    line: Annotated[str | None, typer.Option(help=_("Line of --site to chart."))] = None,
    json_out: JsonOpt = False,
) -> None:
    """Quality control: out-of-control alerts (or one line's p chart) with the rule that fired."""
    from regdev.evaluation.spc import RULES
    from regdev.monitoring import evaluation as ev
    from regdev.monitoring.crud import system_user

    with _read_session(db) as session:
        if site is not None:
            data = ev.control_charts(session, system_user(), site, line=line)
            if json_out:
                echo_json(data)
                return
            _demo_banner(bool(data["demo"]))
            for ch in data["data"]:
                t = Table(title=_("p chart: {line}", line=ch["line"]))
                for col in (
                    _("Date"),
                    _("Lot"),
                    _("Share defective"),
                    "LCL",
                    "CL",
                    "UCL",
                    _("Rules"),
                ):
                    t.add_column(col)
                for p in ch["p"]["points"]:
                    t.add_row(
                        p["date"],
                        p["lot_code"],
                        _fmt(p["value"], "pct"),
                        _fmt(p["lcl"], "pct"),
                        _fmt(p["centre"], "pct"),
                        _fmt(p["ucl"], "pct"),
                        " ".join(p["rules"]),
                    )
                console.print(t)
            return
        data = ev.alerts(session, system_user(), region_id=region, limit=1000)
    if json_out:
        echo_json(data)
        return
    _demo_banner(bool(data["demo"]))
    t = Table(title=_("Quality alerts: {n}", n=data["count"]))
    for col in (
        _("Date"),
        _("Region"),
        _("Site"),
        _("Line"),
        _("Chart"),
        _("Rule"),
        _("What fired"),
    ):
        t.add_column(col)
    for a in data["data"]:
        t.add_row(
            a["date"],
            a["region_id"],
            str(a["site_id"]),
            a["line"],
            a["chart"],
            a["rule"],
            _(RULES[a["rule"]]),
        )
    console.print(t)


def customers(
    db: DbOpt = None,
    region: Annotated[str | None, typer.Option(help=_("Only this region."))] = None,
    signals_out: Annotated[
        Path | None,
        typer.Option(
            "--signals-out",
            help=_("Write the signals file of the accepted recommendations (designer input)."),
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Customer loop: recommendations with evidence; --signals-out writes the designer signals."""
    from regdev.evaluation.customer import RECOMMENDATION_KINDS, write_signals
    from regdev.monitoring import evaluation as ev
    from regdev.monitoring.crud import system_user

    with _read_session(db) as session:
        data = ev.recommendations(session, system_user(), region_id=region)
        sig = ev.signals(session, None, region_id=region) if signals_out is not None else []
    if signals_out is not None:
        write_signals(signals_out, sig)
        err_console.print(_("wrote {n} signals to {path}", n=len(sig), path=str(signals_out)))
    if json_out:
        echo_json(data)
        return
    _demo_banner(bool(data["demo"]))
    t = Table(title=_("Recommendations: {n}", n=data["count"]))
    for col in (
        _("Key"),
        _("Region"),
        _("Line"),
        _("Recommendation"),
        _("Evidence"),
        _("Decision"),
    ):
        t.add_column(col)
    for r in data["data"]:
        ev_text = "; ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in r["evidence"].items()
        )
        t.add_row(
            r["key"],
            r["region_id"],
            r["line"],
            _(RECOMMENDATION_KINDS[r["kind"]]),
            ev_text,
            r["decision"] or "–",
        )
    console.print(t)


def signal_lines(
    source: str, region: str, regions: Path | None, db: str | None
) -> tuple[list[str], list[str]]:
    """Forced and forbidden lines of ``region`` from a signals file or the database (``DB``).

    Used by ``regdev plan design REGION --signals FILE|DB``: the lines join the designer's
    what-if.  Demand multipliers of the region are reported on stderr (the what-if of
    ``plan design`` takes lines; ``regdev.evaluation.customer.design_with_signals`` applies
    multipliers too).
    """
    from regdev.evaluation.customer import design_inputs, read_signals
    from regdev.pipeline.run import load_registry

    rid = load_registry(regions).resolve(region)
    if source.upper() == "DB":
        from regdev.monitoring import evaluation as ev

        with _read_session(db) as session:
            rows = ev.signals(session, None, region_id=rid)
    else:
        rows = read_signals(source)
    sig = design_inputs(r for r in rows if str(r["region_id"]) == rid)
    demand = {cat: m for (r, cat), m in sig.demand.items() if r == rid}
    if demand:
        text = ", ".join(f"{cat} x{m:g}" for cat, m in sorted(demand.items()))
        err_console.print(
            _(
                "demand signals of {region} not applied by the what-if: {text}",
                region=rid,
                text=text,
            )
        )
    return [ln for r, ln in sig.force if r == rid], [ln for r, ln in sig.forbid if r == rid]


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the root ``app``."""
    app.command(
        "appraise",
        help=_(
            "Appraise factories: cost-effectiveness, NPV / IRR / payback, practicality, sensitivity.\n\nWith --plan, ex ante from the plan folder's design; otherwise ex post from the\nmonitoring records."
        ),
    )(appraise)
    app.command(
        "emulate",
        help=_(
            "League table of the emulation drive: composite score, rank with interval, peers, change."
        ),
    )(emulate)
    app.command(
        "quality",
        help=_(
            "Quality control: out-of-control alerts (or one line's p chart) with the rule that fired."
        ),
    )(quality_cmd)
    app.command(
        "customers",
        help=_(
            "Customer loop: recommendations with evidence; --signals-out writes the designer signals."
        ),
    )(customers)
