"""`regdev plan design REGION`: one county's factory design and why.

Parses, calls :func:`regdev.pipeline.design_region`, renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from regdev.cli._common import console, echo_json, err_console
from regdev.i18n import _


def _unit_name(dossier: dict[str, Any]) -> str:
    return str(dossier.get("unit_of_account") or "M USD")


def _render(dossier: dict[str, Any], summary: dict[str, Any]) -> None:
    from rich.table import Table

    tier = (
        _(
            "plan tier {plan_tier} (catalogue level {tier} of 3)",
            plan_tier=dossier["plan_tier"],
            tier=dossier["tier"],
        )
        if dossier.get("plan_tier") is not None
        else _("catalogue level {tier} of 3", tier=dossier["tier"])
    )
    title = _(
        "{name} ({region_id}, {province}) — {tier}, {jobs} jobs, capital {capital} {unit}",
        name=dossier["name"],
        region_id=dossier["region_id"],
        province=dossier["province"],
        tier=tier,
        jobs=format(dossier["jobs"], ","),
        capital=format(dossier["capital_cost"], ",.2f"),
        unit=_unit_name(dossier),
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
            "central supply {tkm} t·km = {saved} {unit} a year",
            local=format(dossier["local_share"], ".0%"),
            nearby=format(dossier["nearby_share"], ".0%"),
            tkm=format(dossier["tkm_saved"], ",.0f"),
            saved=format(dossier["transport_saved"], ",.3f"),
            unit=_unit_name(dossier),
        ),
        highlight=False,
    )
    took = (
        _(", {s} s", s=format(summary["solve_time_s"], ".1f")) if "solve_time_s" in summary else ""
    )
    console.print(
        _(
            "design of {n} regions: status {status}, objective {objective} {unit}/yr, "
            "gap {gap}{took} ({solver})",
            n=summary["n_regions"],
            status=summary["status"],
            objective=format(summary["objective"], ",.2f"),
            unit=_unit_name(dossier),
            gap=format(summary["gap"], ".3%"),
            took=took,
            solver=summary["solver"],
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the factory-design commands to the ``plan`` sub-app."""

    @app.command(
        "design",
        help=_(
            "Print one county's factory design (lines, capacities, raw materials) and why.\n\n"
            "Without what-if options this is the design stored in the plan folder (the one "
            "factories.csv, the report and `regdev db import-plan` use); with them a fresh "
            "design, compared with the plan's."
        ),
    )
    def design_cmd(
        region: Annotated[str, typer.Argument(help=_("Region id, name, Korean name or alias."))],
        force_line: Annotated[
            list[str] | None,
            typer.Option("--force-line", help=_("Force this line open and re-solve (repeatable).")),
        ] = None,
        forbid_line: Annotated[
            list[str] | None,
            typer.Option("--forbid-line", help=_("Forbid this line and re-solve (repeatable).")),
        ] = None,
        scope: Annotated[
            str | None,
            typer.Option(
                help=_(
                    "What-if: design afresh with these regions together: province, "
                    "neighbourhood, cohort or national (default: show the plan's design)."
                )
            ),
        ] = None,
        plan_dir: Annotated[
            Path,
            typer.Option("--plan-dir", help=_("Plan folder whose design is shown / compared.")),
        ] = Path("out/plan"),
        regions: Annotated[
            Path | None,
            typer.Option(
                help=_("Region table (CSV/XLSX/GeoJSON/GPKG/Parquet); default: the DPRK.")
            ),
        ] = None,
        mps: Annotated[
            Path | None, typer.Option(help=_("Also write the design MILP in MPS format here."))
        ] = None,
        year: Annotated[
            int | None, typer.Option(help=_("What-if: year the demand is projected to (2030)."))
        ] = None,
        tier: Annotated[
            int | None,
            typer.Option(
                min=1, help=_("What-if: modernisation tier on the plan's scale (1-10 by default).")
            ),
        ] = None,
        signals: Annotated[
            str | None,
            typer.Option(
                "--signals",
                help=_(
                    "Accepted customer-loop recommendations: a signals CSV file, or DB for the "
                    "monitoring database (--db); their forced / forbidden lines of REGION join the what-if."
                ),
            ),
        ] = None,
        db: Annotated[
            str | None, typer.Option("--db", help=_("Monitoring database for --signals DB."))
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help=_("Machine-readable output."))
        ] = False,
        catalogue: Annotated[
            Path | None,
            typer.Option(
                "--catalogue",
                help=_(
                    "Catalogue folder (lines.csv, demand.csv, supply.csv, unused.csv); "
                    "default: the packaged catalogue."
                ),
            ),
        ] = None,
    ) -> None:
        """Print one county's factory design (lines, capacities, raw materials) and why.

        Without what-if options this is the design stored in the plan folder
        (the one factories.csv, the report and `regdev db import-plan` use);
        with them a fresh design, compared with the plan's.
        """
        from regdev.errors import NotFoundError
        from regdev.pipeline import design_region, plan_design, plan_what_if

        if signals is not None:
            from regdev.cli.evaluation import signal_lines

            extra_force, extra_forbid = signal_lines(signals, region, regions, db)
            force_line = [*(force_line or ()), *extra_force]
            forbid_line = [*(forbid_line or ()), *extra_forbid]
        what_if_asked = bool(force_line or forbid_line) or any(
            v is not None for v in (scope, year, tier, mps, signals, catalogue)
        )
        if not what_if_asked:
            in_plan = plan_design(region, plan_dir, regions=regions)
            if as_json:
                echo_json(in_plan.to_dict())
                return
            console.print(
                "[bold]" + _("The plan's design ({plan_dir})", plan_dir=plan_dir) + "[/]",
                highlight=False,
            )
            _render(in_plan.dossier, in_plan.summary)
            return
        fresh_options = (scope, year, tier, mps, catalogue)
        plan_exists = (plan_dir / "factories.csv").is_file()
        if plan_exists and (force_line or forbid_line) and all(v is None for v in fresh_options):
            # force / forbid against the plan's own design: the difference is relative to the plan
            res, stored_design = plan_what_if(
                region,
                plan_dir,
                force_lines=force_line or (),
                forbid_lines=forbid_line or (),
                regions=regions,
            )
            _show_what_if(res, stored_design, as_json)
            return
        res = design_region(
            region,
            regions=regions,
            scope=scope or "province",
            year=2030 if year is None else year,
            tier=tier,
            force_lines=force_line or (),
            forbid_lines=forbid_line or (),
            mps=mps,
            catalogue=catalogue,
        )
        try:
            stored: Any = plan_design(region, plan_dir, regions=regions)
        except NotFoundError as exc:
            stored = str(exc)
        _show_what_if(res, stored, as_json)


def _show_what_if(res: Any, stored: Any, as_json: bool) -> None:
    """Print a what-if design (JSON or tables) and how it differs from the plan's design.

    ``stored`` is the plan's :class:`~regdev.pipeline.PlanDesign`, or why there is none.
    """
    from regdev.pipeline import compare_with_plan
    from regdev.units import UnitOfAccount, convert_kusd

    raw = res.to_dict()
    has_plan = not isinstance(stored, str)
    # one unit of account: the plan's, else the scenario default
    unit = stored.unit if has_plan else UnitOfAccount()
    out: dict[str, Any] = convert_kusd(raw, unit)
    out["design"]["unit_of_account"] = unit.name
    if "what_if" in out:
        out["what_if"]["design"]["unit_of_account"] = unit.name
    if has_plan:
        final = raw["what_if"]["design"] if res.what_if is not None else raw["design"]
        out["plan_difference"] = {"compared": True, **compare_with_plan(final, stored)}
    else:
        out["plan_difference"] = {"compared": False, "reason": stored}
    if as_json:
        echo_json(out)
        return
    dossier, summary = out["design"], out["summary"]
    if res.basis == "fresh design":
        text = _("what-if: a fresh design with the options given, not the plan's design")
    elif res.basis == "the plan's design":
        text = _("what-if against the plan's design")
    else:
        text = _(
            "what-if against a rebuilt design that differs from the stored one "
            "(another catalogue or inputs?)"
        )
    err_console.print(f"[yellow]{text}[/]", highlight=False)
    _render(dossier, summary)
    if res.what_if is not None:
        w = out["what_if"]
        acts = ", ".join(f"{c['action']} {c['line']}" for c in w["changes"])
        what_if = _("What if")
        console.print(f"\n[bold]{what_if}[/] {acts}:")
        _render(w["design"], convert_kusd(res.what_if.alternative.summary(), unit))
        lo, hi = w["cost_difference_range"]
        where = (
            _(
                " in {name} (other counties' lines held as designed, flows re-optimised)",
                name=dossier["name"],
            )
            if w["local"]
            else _(" across the {n} regions", n=summary["n_regions"])
        )
        template = (
            _(
                "cost difference: {diff} {unit} a year more (objective {base} -> {alt}; gaps "
                "{base_gap} / {alt_gap}; the difference of the optima lies in [{lo}, {hi}]); "
                "{n} line sizes change{where}"
            )
            if w["cost_difference"] >= 0
            else _(
                "cost difference: {diff} {unit} a year less (objective {base} -> {alt}; gaps "
                "{base_gap} / {alt_gap}; the difference of the optima lies in [{lo}, {hi}]); "
                "{n} line sizes change{where}"
            )
        )
        console.print(
            template.format(
                diff=format(abs(w["cost_difference"]), ",.4f"),
                unit=_unit_name(dossier),
                base=format(w["base_objective"], ",.2f"),
                alt=format(w["alternative_objective"], ",.2f"),
                base_gap=format(w["base_gap"], ".2%"),
                alt_gap=format(w["alternative_gap"], ".2%"),
                lo=format(lo, ",.4f"),
                hi=format(hi, ",.4f"),
                n=len(w["line_changes"]),
                where=where,
            ),
            highlight=False,
        )
    _print_difference(out["plan_difference"])


def _print_difference(diff: dict[str, Any]) -> None:
    """How the what-if differs from the plan's design (or why it cannot be compared)."""
    if not diff.get("compared"):
        console.print(
            _("not compared with a plan: {reason}", reason=diff["reason"]), highlight=False
        )
        return
    jobs = f"{diff['jobs_difference']:+,}"
    capital = f"{diff['capital_difference']:+,.3f}"
    if diff["identical"]:
        console.print(
            _(
                "the what-if has the plan's lines and capacities (jobs {jobs}, capital "
                "{capital} {unit})",
                jobs=jobs,
                capital=capital,
                unit=diff["unit_of_account"],
            ),
            highlight=False,
        )
        return
    resized = ", ".join(
        f"{r['line']} {r['plan_capacity']:,.0f} -> {r['capacity']:,.0f}" for r in diff["resized"]
    )
    console.print(
        _(
            "differs from the plan's design: added {added}; removed {removed}; resized "
            "{resized}; jobs {jobs}, capital {capital} {unit}",
            added=", ".join(diff["added"]) or "-",
            removed=", ".join(diff["removed"]) or "-",
            resized=resized or "-",
            jobs=jobs,
            capital=capital,
            unit=diff["unit_of_account"],
        ),
        highlight=False,
    )
