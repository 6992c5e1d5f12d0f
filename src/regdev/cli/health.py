"""`regdev health` commands: site first-aid posts between county hospitals and ri clinics.

Thin shell over :mod:`regdev.health`: parse options, call the library, write
the tables and the offline HTML report, print a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regdev.cli._common import console, echo_json, fail
from regdev.i18n import _

app = typer.Typer(no_args_is_help=True, help="Health network: first-aid posts, coverage, staffing.")


@app.command()
def site(
    region: Annotated[str | None, typer.Option(help="One region id (e.g. KP-CHA-HUICHON).")] = None,
    all_regions: Annotated[
        bool, typer.Option("--all", help="Every county with a hospital (179 regions).")
    ] = False,
    model: Annotated[str, typer.Option(help="pmedian, mclp, lscp or hierarchical.")] = "pmedian",
    standard: Annotated[
        float, typer.Option(min=1.0, help="Access standard, minutes (default 60).")
    ] = 60.0,
    settlements: Annotated[
        Path | None,
        typer.Option(help="Village file (CSV/GeoJSON/GPKG); default: synthetic villages."),
    ] = None,
    network: Annotated[
        Path | None, typer.Option(help="Folder with nodes.csv and edges.csv (road network).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder for tables and report.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Parallel processes for --all.")] = 2,
    map_region: Annotated[
        str | None, typer.Option(help="Region drawn on the report map (default: the first).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic villages.")] = 0,
    time_limit: Annotated[float, typer.Option(help="Seconds per county solve.")] = 60.0,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the coverage table as JSON.")
    ] = False,
) -> None:
    """Site first-aid posts exactly and write posts, assignments, coverage and staffing tables."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from regdev._atomic import atomic_write_text
    from regdev.health.report import (
        county_map_svg,
        coverage_curve_svg,
        health_report_html,
        health_section_html,
    )
    from regdev.health.settlements import read_settlements, synthetic_settlements
    from regdev.health.siting import (
        MODELS,
        county_problem,
        coverage_curve,
        coverage_table,
        hospital_regions,
        site_all,
    )
    from regdev.health.staffing import staffing_table
    from regdev.health.travel import read_network_dir
    from regdev.i18n import current_language
    from regdev.registry import load_default

    if model not in MODELS:
        raise fail(
            _("--model must be one of {models}; got {got}", models=", ".join(MODELS), got=model), 2
        )
    if (region is None) == (not all_regions):
        raise fail(_("give exactly one of --region R or --all"), 2)
    registry = load_default()
    map_id = registry.resolve(map_region) if map_region else None
    if settlements is not None:
        villages = read_settlements(settlements, regions=registry)
    else:
        villages = synthetic_settlements(registry, seed=seed)
        if not as_json:
            console.print(_("Using synthetic villages (no --settlements file given)."))
    net = read_network_dir(network) if network is not None else None
    ids = hospital_regions(registry) if all_regions else [registry.resolve(str(region))]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        disable=quiet or as_json,
        console=console,
    ) as bar:
        task = bar.add_task(_("Siting first-aid posts"), total=len(ids))
        results = site_all(
            registry,
            villages,
            ids,
            model=model,
            standard=standard,
            network=net,
            workers=workers,
            time_limit=time_limit,
            progress=lambda _r: bar.advance(task),
        )
    cov = coverage_table(results)
    if out is not None:
        import pandas as pd

        out.mkdir(parents=True, exist_ok=True)
        posts = pd.concat([r.posts for r in results], ignore_index=True)
        assign = pd.concat([r.assignments for r in results], ignore_index=True)
        staff = staffing_table(results)
        synthetic_note = (
            "# villages: synthetic (generated, not surveyed)\n"
            if any(r.synthetic for r in results)
            else ""
        )
        for name, frame in (
            ("posts", posts),
            ("assignments", assign),
            ("coverage", cov),
            ("staffing", staff),
        ):
            atomic_write_text(
                out / f"{name}.csv", synthetic_note + frame.to_csv(index=False, lineterminator="\n")
            )
        first = next((r for r in results if r.region_id == map_id), results[0])
        prob = county_problem(registry, villages, first.region_id, network=net)
        curve = coverage_curve(prob, standard, max(first.n_posts + 2, 4))
        section = health_section_html(
            results,
            cov,
            map_svg=county_map_svg(first, prob.villages),
            curve_svg=coverage_curve_svg(curve, prob.population, standard),
        )
        atomic_write_text(out / "report.html", health_report_html(section, lang=current_language()))
    if as_json:
        echo_json(cov.to_dict(orient="records"))
        return
    total = int(cov["posts"].sum())
    n_opt = int(cov["optimal"].sum())
    gap = f"{cov['gap'].max():.2e}"
    std = f"{standard:g}"
    share = f"{cov['covered_population'].sum() / cov['population'].sum():.1%}"
    console.print(
        _(
            "{posts} posts in {n} regions; {opt} proven optimal; largest gap {gap}; "
            "population within {t} minutes: {share}",
            posts=total,
            n=len(cov),
            opt=n_opt,
            gap=gap,
            t=std,
            share=share,
        )
    )
    if out is not None:
        console.print(_("Wrote {path}", path=str(out)))
    if n_opt < len(cov) and float(cov["gap"].max()) > 1e-3:
        raise typer.Exit(code=1)
