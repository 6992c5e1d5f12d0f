"""`regdev plan design REGION`: one county's factory design and why.

Parses, calls :func:`regdev.pipeline.design_region`, renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from regdev.cli._common import console, echo_json
from regdev.i18n import _


def _render(dossier: dict[str, Any], summary: dict[str, Any]) -> None:
    from rich.table import Table

    title = _(
        "{name} ({region_id}, {province}) — tier {tier}, {jobs} jobs, capital {capital} M USD",
        name=dossier["name"],
        region_id=dossier["region_id"],
        province=dossier["province"],
        tier=dossier["tier"],
        jobs=format(dossier["jobs"], ","),
        capital=format(dossier["capital_cost_kusd"] / 1000, ",.1f"),
    )
    table = Table(title=title, show_lines=False)
    for col in (_("line"), _("modules"), _("capacity"), _("util."), _("jobs"), _("raw materials")):
        table.add_column(col, overflow="fold")
    for ln in dossier["lines"]:
        table.add_row(
            ln["line"],
            str(ln["modules"]),
            f"{ln['capacity']:,.0f} {ln['unit']}",
            f"{ln['utilisation']:.0%}",
            str(ln["jobs"]),
            ln["raw_materials_needed"] or "-",
        )
    console.print(table)
    heading = _("Why each line")
    console.print(f"[bold]{heading}[/]")
    for ln in dossier["lines"]:
        note = ""
        if ln["kind"] == "characteristic":  # issue 17: characteristic means local
            note = f" [{ln.get('enabled_by', '')}"
            if not ln.get("counts_as_characteristic"):
                note += "; " + _(
                    "draws less than the local-share minimum of its main input locally: "
                    "not counted as characteristic"
                )
            note += "]"
        console.print(f"- {ln['line']} ({ln['kind']}): {ln['why']}{note}", highlight=False)
    console.print(
        _(
            "local share of demand {local} (with neighbours {nearby}); transport saved vs "
            "central supply {tkm} t·km = {kusd} kUSD a year",
            local=format(dossier["local_share"], ".0%"),
            nearby=format(dossier["nearby_share"], ".0%"),
            tkm=format(dossier["tkm_saved"], ",.0f"),
            kusd=format(dossier["transport_saved_kusd"], ",.1f"),
        )
    )
    console.print(
        _(
            "design of {n} regions: status {status}, objective {objective} kUSD/yr, gap {gap}, "
            "{seconds} s ({solver})",
            n=summary["n_regions"],
            status=summary["status"],
            objective=format(summary["objective_kusd"], ",.0f"),
            gap=format(summary["gap"], ".3%"),
            seconds=format(summary["solve_time_s"], ".1f"),
            solver=summary["solver"],
        )
    )


def register(app: typer.Typer) -> None:
    """Add the factory-design commands to the ``plan`` sub-app."""

    @app.command("design")
    def design_cmd(
        region: Annotated[str, typer.Argument(help="Region id, name, Korean name or alias.")],
        force_line: Annotated[
            list[str] | None,
            typer.Option("--force-line", help="Force this line open and re-solve (repeatable)."),
        ] = None,
        forbid_line: Annotated[
            list[str] | None,
            typer.Option("--forbid-line", help="Forbid this line and re-solve (repeatable)."),
        ] = None,
        scope: Annotated[
            str,
            typer.Option(
                help="Regions designed together: province, neighbourhood, cohort or national."
            ),
        ] = "province",
        regions: Annotated[
            Path | None,
            typer.Option(help="Region table (CSV/XLSX/GeoJSON/GPKG/Parquet); default: the DPRK."),
        ] = None,
        mps: Annotated[
            Path | None, typer.Option(help="Also write the design MILP in MPS format here.")
        ] = None,
        year: Annotated[int, typer.Option(help="Year the demand is projected to.")] = 2030,
        tier: Annotated[int, typer.Option(min=1, max=3, help="Modernisation tier 1-3.")] = 2,
        signals: Annotated[
            str | None,
            typer.Option(
                "--signals",
                help="Accepted customer-loop recommendations: a signals CSV file, or DB for the "
                "monitoring database (--db); their forced / forbidden lines of REGION join the what-if.",
            ),
        ] = None,
        db: Annotated[
            str | None, typer.Option("--db", help="Monitoring database for --signals DB.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
        catalogue: Annotated[
            Path | None,
            typer.Option(
                "--catalogue",
                help="Catalogue folder (lines.csv, demand.csv, supply.csv, unused.csv); "
                "default: the packaged catalogue.",
            ),
        ] = None,
    ) -> None:
        """Print one county's factory design (lines, capacities, raw materials) and why."""
        from regdev.pipeline import design_region

        if signals is not None:
            from regdev.cli.evaluation import signal_lines

            extra_force, extra_forbid = signal_lines(signals, region, regions, db)
            force_line = [*(force_line or ()), *extra_force]
            forbid_line = [*(forbid_line or ()), *extra_forbid]
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from regdev.cli._common import err_console

        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress:
            progress.add_task(
                _("designing the factories of {region} ({scope})", region=region, scope=scope),
                total=None,
            )
            res = design_region(
                region,
                regions=regions,
                scope=scope,
                year=year,
                tier=tier,
                force_lines=force_line or (),
                forbid_lines=forbid_line or (),
                mps=mps,
                catalogue=catalogue,
            )
        out = res.to_dict()
        if as_json:
            echo_json(out)
            return
        dossier, summary = out["design"], out["summary"]
        _render(dossier, summary)
        if res.what_if is not None:
            w = out["what_if"]
            acts = ", ".join(f"{c['action']} {c['line']}" for c in w["changes"])
            console.print(f"\n[bold]What if[/] {acts}:")
            _render(w["design"], res.what_if.alternative.summary())
            sign = "more" if w["cost_difference_kusd"] >= 0 else "less"
            lo, hi = w["cost_difference_range_kusd"]
            console.print(
                f"cost difference: {abs(w['cost_difference_kusd']):,.1f} kUSD a year {sign} "
                f"(objective {w['base_objective_kusd']:,.0f} -> {w['alternative_objective_kusd']:,.0f}; "
                f"gaps {w['base_gap']:.2%} / {w['alternative_gap']:.2%}; the difference of the "
                f"optima lies in [{lo:,.1f}, {hi:,.1f}]); "
                f"{len(w['line_changes'])} line sizes change"
                + (
                    f" in {dossier['name']} (other counties' lines held as designed, flows re-optimised)"
                    if w["local"]
                    else f" across the {summary['n_regions']} regions"
                )
            )
