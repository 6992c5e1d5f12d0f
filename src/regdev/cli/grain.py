"""`regdev grain` commands: simulate strategies, size a store, run the live loop, check fumigation.

Each command parses its options, calls one library function in
:mod:`regdev.grain` and renders the result (Rich table or ``--json``).
Library errors (:class:`regdev.errors.RegdevError`) propagate to the root CLI,
which prints them as one line and exits with code 1.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from regdev.cli._common import console, echo_json
from regdev.i18n import N_, _

#: Columns of the strategy comparison table (translated when shown).
_SIM_COLUMNS = (
    N_("strategy"),
    N_("DML %"),
    N_("DML t"),
    N_("energy kWh"),
    N_("fan h"),
    N_("final M %"),
    N_("max T degC"),
)

app = typer.Typer(no_args_is_help=True, help=_("Grain storage: simulate, size, run, fumigate."))


@app.command(
    help=_(
        "Compare aeration strategies on a store over a weather series.\n\nThe predictive strategy (mpc) uses its default 48-hour horizon and a perfect\nforecast of the weather series."
    )
)
def simulate(
    strategy: Annotated[
        str, typer.Option(help=_("emc, delta-t, mpc or all (compare every strategy)."))
    ] = "all",
    weather: Annotated[
        str, typer.Option(help=_("'synthetic' or a CSV file with time,temp_c,rh_pct."))
    ] = "synthetic",
    lat: Annotated[float, typer.Option(help=_("Latitude for synthetic weather, degrees."))] = 39.0,
    start: Annotated[str, typer.Option(help=_("First day of synthetic weather."))] = "2026-10-01",
    days: Annotated[int, typer.Option(min=1, help=_("Days to simulate."))] = 120,
    tonnes: Annotated[float, typer.Option(min=1.0, help=_("Grain in the store, t."))] = 2000.0,
    depth: Annotated[float, typer.Option(help=_("Grain depth, m."))] = 15.0,
    layers: Annotated[int, typer.Option(min=1, max=100, help=_("Model layers."))] = 10,
    airflow: Annotated[float, typer.Option(help=_("Airflow, m3/min per tonne."))] = 0.15,
    moisture: Annotated[float, typer.Option(help=_("Moisture at filling, % w.b."))] = 17.0,
    temp: Annotated[float, typer.Option(help=_("Grain temperature at filling, degC."))] = 25.0,
    grain: Annotated[
        str, typer.Option(help=_("maize, rough_rice, wheat, soybean, barley."))
    ] = "maize",
    seed: Annotated[int, typer.Option(help=_("Seed of the synthetic weather."))] = 2026,
    out: Annotated[
        Path | None,
        typer.Option(help=_("Folder for grain-comparison.png (all strategies) and summary.json.")),
    ] = None,
    per_strategy_plots: Annotated[
        bool,
        typer.Option(help=_("Also write one detailed PNG per strategy (grain-<name>.png).")),
    ] = False,
    quiet: Annotated[bool, typer.Option(help=_("No progress bar."))] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Print JSON instead of a table."))
    ] = False,
) -> None:
    """Compare aeration strategies on a store over a weather series.

    The predictive strategy (mpc) uses its default 48-hour horizon and a perfect
    forecast of the weather series.
    """
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from regdev._atomic import atomic_write_text
    from regdev.cli._common import err_console
    from regdev.errors import ConfigError
    from regdev.grain import controller as ctl
    from regdev.grain import loop, plant
    from regdev.grain import properties as props
    from regdev.grain.weather import read_weather_csv, synthetic_weather

    names = list(ctl.STRATEGIES) if strategy == "all" else [strategy]
    for name in names:
        if name not in ctl.STRATEGIES:
            msg = _(
                "--strategy must be one of emc, delta-t, mpc, all; got {got}", got=repr(strategy)
            )
            raise ConfigError(msg)
    if weather == "synthetic":
        series = synthetic_weather(lat, start=start, days=days, rng=seed)
        source = f"synthetic {lat:g} deg, seed {seed}"
    else:
        series = read_weather_csv(weather)
        series = series.slice(0, min(len(series), days * 24))
        source = weather
    spec = plant.StoreSpec(
        grain=grain, tonnes=tonnes, depth_m=depth, n_layers=layers, airflow_m3_min_t=airflow
    )
    rows: dict[str, dict[str, float]] = {}
    results = {}
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )
    with progress:
        hours = len(series) * len(names)
        task = progress.add_task(_("simulating"), total=hours)
        for k, name in enumerate(names):
            progress.update(task, description=_("simulating {strategy}", strategy=name))
            offset = k * len(series)

            def advance(done: int, _total: int, offset: int = offset) -> None:
                progress.update(task, completed=offset + done)

            c = ctl.build_controller(name, spec)
            r = loop.simulate(
                spec,
                series,
                c,
                initial_temp_c=temp,
                initial_m_wb_pct=moisture,
                strategy=name,
                progress=advance,
            )
            rows[name] = r.summary()
            results[name] = r
    payload: dict[str, Any] = {
        "weather": source,
        "hours": len(series),
        "store": {"grain": grain, "tonnes": tonnes, "moisture_wb_pct": moisture},
        "strategies": rows,
    }
    if out is not None:
        from regdev.grain.plots import write_comparison_png, write_simulation_png

        safe = props.safe_moisture_pct(grain, "short_term")
        files = [
            str(
                write_comparison_png(
                    results,
                    out / "grain-comparison.png",
                    safe_m_wb_pct=safe,
                    title=f"{tonnes:g} t {grain} at {moisture:g} %: {source}",
                )
            )
        ]
        if per_strategy_plots:
            for name, r in results.items():
                p = write_simulation_png(r, out / f"grain-{name}.png", title=f"{name}: {source}")
                files.append(str(p))
        atomic_write_text(out / "summary.json", json.dumps(payload, indent=2, sort_keys=True))
        payload["files"] = files
    if as_json:
        echo_json(payload)
        return
    from rich.table import Table

    tonnes_text, moisture_text = format(tonnes, "g"), format(moisture, "g")
    table = Table(
        title=_(
            "{tonnes} t {grain} at {moisture} %, {hours} h, {source}",
            tonnes=tonnes_text,
            grain=grain,
            moisture=moisture_text,
            hours=len(series),
            source=source,
        )
    )
    for k, col in enumerate(_SIM_COLUMNS):
        table.add_column(_(col), justify="left" if k == 0 else "right")
    for name, s in rows.items():
        table.add_row(
            name,
            f"{s['dml_pct']:.4f}",
            f"{s['dml_t']:.2f}",
            f"{s['energy_kwh']:.0f}",
            f"{s['fan_hours']:.0f}",
            f"{s['final_m_wb_pct']:.2f}",
            f"{s['max_temp_c']:.1f}",
        )
    console.print(table)
    if out is not None:
        console.print(_("figures written to {folder}", folder=out))


@app.command(help=_("Size a county store: capacity, dryer, wet holding and fans."))
def size(
    population: Annotated[int, typer.Option(min=1, help=_("People served."))],
    grain: Annotated[str, typer.Option(help=_("Main grain."))] = "maize",
    norm: Annotated[
        str, typer.Option(help=_("cn-producing, cn-balanced, cn-consuming or fao-minimum."))
    ] = "cn-balanced",
    per_capita: Annotated[
        float | None,
        typer.Option(help=_("kg per person and year (default 167, FAO/WFP CFSAM DPRK 2008).")),
    ] = None,
    production: Annotated[float | None, typer.Option(help=_("Local harvest, t."))] = None,
    share: Annotated[float, typer.Option(help=_("Share of the harvest taken in, 0-1."))] = 0.0,
    harvest_days: Annotated[float, typer.Option(help=_("Harvest intake window, days."))] = 30.0,
    wet_share: Annotated[float, typer.Option(help=_("Share arriving wet, 0-1."))] = 0.6,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """Size a county store: capacity, dryer, wet holding and fans."""
    from regdev.grain.sizing import PER_CAPITA_KG_PER_YEAR, size_county_store

    r = size_county_store(
        population,
        grain=grain,
        norm=norm,
        per_capita_kg_per_year=PER_CAPITA_KG_PER_YEAR if per_capita is None else per_capita,
        production_t=production,
        production_share=share,
        harvest_days=harvest_days,
        wet_share=wet_share,
    )
    if as_json:
        echo_json(r.to_dict())
        return
    from rich.table import Table

    people = format(population, ",")
    table = Table(title=_("grain store for {people} people ({norm})", people=people, norm=norm))
    table.add_column(_("quantity"))
    table.add_column(_("value"), justify="right")
    for label, value in (
        (N_("consumption, t/yr"), f"{r.consumption_t_per_year:,.0f}"),
        (N_("storage capacity, t"), f"{r.capacity_t:,.0f}"),
        (N_("storage volume, m3"), f"{r.capacity_m3:,.0f}"),
        (N_("dryer, t/h"), f"{r.dryer_t_per_h:.1f}"),
        (N_("wet holding, t"), f"{r.wet_holding_t:,.0f}"),
        (N_("cooling airflow, m3/min"), f"{r.cooling_airflow_m3_min:,.0f}"),
        (N_("cooling fans, kW"), f"{r.cooling_fan_kw:.1f}"),
        (N_("drying fans (wet holding), kW"), f"{r.drying_fan_kw:.1f}"),
    ):
        table.add_row(_(label), value)
    console.print(table)


@app.command(help=_("Run the live control loop against the MQTT broker named in store.toml."))
def run(
    config: Annotated[Path, typer.Option(help=_("store.toml"))],
    max_seconds: Annotated[
        float | None, typer.Option(help=_("Stop after this many seconds."))
    ] = None,
    once: Annotated[bool, typer.Option(help=_("Stop after the first fan command."))] = False,
) -> None:
    """Run the live control loop against the MQTT broker named in store.toml."""
    import logging

    from regdev.grain.config import read_store_config
    from regdev.grain.mqtt import run_live

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = read_store_config(config)
    live = run_live(cfg, max_seconds=max_seconds, once=once)
    drops = ", ".join(f"{k} {v}" for k, v in sorted(live.drops.items()))
    console.print(
        _(
            "store {store}: {accepted} readings accepted, {dropped} dropped{drops}, "
            "{flagged} flagged (clock/order), {commands} commands sent",
            store=cfg.store.id,
            accepted=live.n_accepted,
            dropped=live.n_dropped,
            drops=" (" + drops + ")" if drops else "",
            flagged=live.n_flagged,
            commands=len(live.commands),
        ),
        markup=False,
    )
    if live.commands:
        last = live.commands[-1]
        console.print(
            _("last command: fan={fan} ({reason})", fan=last["fan"], reason=last["reason"]),
            markup=False,
        )
    if live.reporter is not None:
        rep = live.reporter
        tail = _("; last error: {error}", error=rep.last_error) if rep.last_error else ""
        console.print(
            _(
                "monitoring: {sent} status reports sent, {failed} failed, {skipped} not made{tail}",
                sent=rep.n_sent,
                failed=rep.n_failed,
                skipped=rep.n_skipped,
                tail=tail,
            ),
            markup=False,
        )


@app.command(
    "fumigation-plan",
    help=_("Check a fumigation or controlled-atmosphere plan; refuse unsafe ones with the reason."),
)
def fumigation_plan(
    profile: Annotated[
        str, typer.Option(help=_("phosphine-au, phosphine-us-label, nitrogen or co2."))
    ],
    start: Annotated[str, typer.Option(help=_("Start date, YYYY-MM-DD."))],
    grain_temp: Annotated[float, typer.Option(help=_("Lowest grain temperature, degC."))],
    days: Annotated[float, typer.Option(help=_("Exposure, days."))],
    tonnes: Annotated[float, typer.Option(help=_("Grain mass, t."))],
    halflife: Annotated[
        float | None, typer.Option(help=_("Pressure-test half-life, min (omit if untested)."))
    ] = None,
    store_age: Annotated[str, typer.Option(help=_("new or old."))] = "old",
    application: Annotated[str, typer.Option(help=_("surface, distributed or recirculated."))] = (
        "distributed"
    ),
    concentration: Annotated[
        float | None, typer.Option(help=_("Gas held, % (controlled atmospheres)."))
    ] = None,
    venting: Annotated[str, typer.Option(help=_("forced or natural."))] = "forced",
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """Check a fumigation or controlled-atmosphere plan; refuse unsafe ones with the reason."""
    from pydantic import ValidationError

    from regdev.errors import ConfigError
    from regdev.grain.fumigation import FumigationPlan, schedule_plan

    try:
        plan = FumigationPlan(
            profile=profile,
            start=date.fromisoformat(start),
            grain_temp_c=grain_temp,
            exposure_days=days,
            tonnes=tonnes,
            halflife_min=halflife,
            store_age=store_age,  # type: ignore[arg-type]
            application=application,  # type: ignore[arg-type]
            concentration_pct=concentration,
            venting=venting,  # type: ignore[arg-type]
        )
    except (ValidationError, ValueError) as exc:
        detail = str(exc).splitlines()[0]
        if isinstance(exc, ValidationError):
            detail = "; ".join(
                f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
        msg = _("invalid fumigation plan: {detail}", detail=detail)
        raise ConfigError(msg) from exc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shown below from schedule.warnings
        schedule = schedule_plan(plan)
    if as_json:
        echo_json(
            {
                "profile": schedule.profile,
                "end": schedule.end.isoformat(),
                "reentry_rule": schedule.reentry_rule,
                "warnings": list(schedule.warnings),
                "phases": [
                    {
                        "name": p.name,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "note": p.note,
                    }
                    for p in schedule.phases
                ],
            }
        )
        return
    from rich.table import Table

    table = Table(title=_("{profile}: plan accepted", profile=schedule.profile))
    for col in (N_("phase"), N_("from"), N_("to"), N_("note")):
        table.add_column(_(col))
    for p in schedule.phases:
        table.add_row(p.name, p.start.isoformat(), p.end.isoformat(), p.note)
    console.print(table)
    console.print(
        _(
            "re-entry: {rule}; out-loading from {date}",
            rule=schedule.reentry_rule,
            date=schedule.end,
        )
    )
    prefix = _("warning:")
    for note in schedule.warnings:
        console.print(f"[bold yellow]{prefix}[/] {note}", highlight=False)
