"""`regdev data`: list, show, validate and synthesise region tables."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from regdev.cli._common import console, echo_json, err_console
from regdev.i18n import _, ngettext

if TYPE_CHECKING:
    from regdev.registry import RegionRegistry

app = typer.Typer(no_args_is_help=True)

RegionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--regions",
        help=_(
            "Region table (CSV, XLSX, GeoJSON, GPKG, Parquet); default: the embedded DPRK data."
        ),
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Machine-readable JSON output."))]


def load_registry(path: Path | None, *, report: bool = False) -> RegionRegistry:
    """Load the registry from ``path`` or the embedded default country.

    Parameters
    ----------
    path : Path or None
        A region table; ``None`` for the embedded default country (whose gaps
        are documented in its SOURCES.md and not repeated).
    report : bool, default False
        Print what the table lacks and what is assumed in its place
        (:meth:`RegionRegistry.assumptions`) as ``warning:`` lines on stderr.
    """
    import warnings

    from regdev.registry import ImputationWarning, load_default, read_regions

    if path is None:
        return load_default()
    with warnings.catch_warnings():
        # the same facts are printed below, one line each, instead of a Python warning
        warnings.simplefilter("ignore", ImputationWarning)
        registry = read_regions(path)
    if report:
        for line in registry.assumptions():
            label = _("warning:")
            err_console.print(f"[yellow]{label}[/] {line}", highlight=False, soft_wrap=True)
    return registry


def _print_problems(problems: list[Any], summary: list[str]) -> None:
    """Every problem on its own line, then the summary lines and a hint for unknown kinds."""
    for p in problems:
        err_console.print(str(p), highlight=False, markup=False, soft_wrap=True)
    for line in summary:
        err_console.print(
            _("summary: {line}", line=line), highlight=False, markup=False, soft_wrap=True
        )
    if any(line.startswith("kind: ") for line in summary) or any(
        getattr(p, "column", None) == "kind" for p in problems
    ):
        err_console.print(
            _(
                "hint: map other kinds of unit onto city, county, district, capital or "
                "excluded with `regdev data import FILE --kind-map VALUE=county,...`"
            ),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    if value is None or (not isinstance(value, str | bool | int | float)):
        return None if value is None else str(value)
    return value


def _records(frame: Any) -> list[dict[str, Any]]:
    rows = frame.reset_index().to_dict(orient="records")
    return [{k: _clean(v) for k, v in row.items()} for row in rows]


@app.command("list", help=_("List the regions (cities, counties, districts and the capital row)."))
def list_regions(
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            "-p",
            help=_(
                "Only this province: ISO code, English or Korean name (KP-07, Kangwon, 강원도)."
            ),
        ),
    ] = None,
    regions: RegionsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the regions (cities, counties, districts and the capital row)."""
    from regdev.registry.province_lookup import match_province, registry_provinces

    reg = load_registry(regions)
    frame = reg.frame
    if province is not None:
        # ISO code, English or Korean name (the resolver of `users add --province`);
        # anything else: an error listing every valid value
        frame = frame[frame["province"] == match_province(registry_provinces(reg), province)]
    if as_json:
        echo_json(_records(frame))
        return
    title = ngettext(
        "{n} region ({source})",
        "{n} regions ({source})",
        len(frame),
        n=len(frame),
        source=reg.source,
    )
    table = Table(title=title, show_lines=False)
    for col in ("region_id", "name", "name_ko", "province", "kind", "population", "coastal"):
        table.add_column(col, justify="right" if col == "population" else "left")
    imputed = reg.is_imputed("population")
    for rid, row in frame.iterrows():
        pop = f"{row['population']:,.0f}" + (" *" if imputed[rid] else "")
        table.add_row(
            str(rid),
            str(row["name"]),
            str(row.get("name_ko") or ""),
            str(row["province"]),
            str(row["kind"]),
            pop,
            _("yes") if row["coastal"] else "",
        )
    console.print(table)
    console.print(_("* population imputed (see `regdev data show REGION`)"))


@app.command("show", help=_("Show one region in full, or the totals by province (`--provinces`)."))
def show(
    region: Annotated[
        str | None, typer.Argument(help=_("Region id, name, Korean name or alias."))
    ] = None,
    provinces: Annotated[
        bool, typer.Option("--provinces", help=_("Population totals by province."))
    ] = False,
    regions: RegionsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one region in full, or the totals by province (``--provinces``)."""
    reg = load_registry(regions)
    if provinces or region is None:
        summary = reg.province_summary()
        if as_json:
            echo_json(_records(summary.rename_axis("province")))
            return
        table = Table(title=_("Population by province ({source})", source=reg.source))
        for col in ("province", "regions", "population", "census", "imputed", "census share"):
            table.add_column(col, justify="left" if col == "province" else "right")
        for prov, row in summary.iterrows():
            table.add_row(
                str(prov),
                f"{row['n_regions']:.0f}",
                f"{row['population']:,.0f}",
                f"{row['census_population']:,.0f}",
                f"{row['imputed_population']:,.0f} ({row['n_imputed']:.0f})",
                f"{row['census_share']:.1%}",
            )
        console.print(table)
        return
    rid = reg.resolve(region)
    row = reg.frame.loc[rid]
    # every derived field is None when the table cannot give it (no capital, no coordinates)
    geo = reg.has_coordinates()
    derived = {
        "development_index": float(reg.development_index()[rid]),
        "distance_to_capital_km": _clean(float(reg.distance_to_capital_km()[rid]))
        if reg.capital_id and geo
        else None,
        "distance_to_province_seat_km": _clean(float(reg.distance_to_province_seat_km()[rid]))
        if geo
        else None,
        "nearest": reg.nearest(min(5, len(reg) - 1))
        .query("focal == @rid")[["neighbor", "distance_km"]]
        .round(1)
        .to_dict(orient="records"),
        "assumptions": reg.assumptions(),
    }
    record = {"region_id": rid, **{k: _clean(v) for k, v in row.items()}, **derived}
    if as_json:
        echo_json(record)
        return
    table = Table(title=f"{row['name']} ({rid})", show_header=False)
    table.add_column("field")
    table.add_column("value")
    for key, value in record.items():
        if key == "assumptions":
            continue
        if key == "nearest":
            value = ", ".join(f"{n['neighbor']} ({n['distance_km']} km)" for n in value)
            value = value or (_("unknown (no coordinates)") if not geo else "")
        elif isinstance(value, float):
            value = f"{value:,.3f}".rstrip("0").rstrip(".")
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
    assumed = _("assumed:")
    for line in record["assumptions"]:
        console.print(f"[yellow]{assumed}[/] {line}", highlight=False, soft_wrap=True)


@app.command(
    "validate", help=_("Check a region table; print every problem as FILE:ROW:COLUMN: message.")
)
def validate(
    file: Annotated[Path, typer.Argument(help=_("Region table to check."))],
    as_json: JsonOpt = False,
) -> None:
    """Check a region table; print every problem as FILE:ROW:COLUMN: message."""
    import warnings

    from regdev.errors import DataValidationError
    from regdev.registry import ImputationWarning, read_regions

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ImputationWarning)
            reg = read_regions(file)
    except DataValidationError as exc:
        if as_json:
            echo_json(
                {
                    "valid": False,
                    "problems": [str(p) for p in exc.problems],
                    "summary": exc.summary,
                }
            )
        else:
            _print_problems(exc.problems, exc.summary)
            line = _("{n} problem(s) in {file}", n=len(exc.problems), file=str(file))
            err_console.print(f"[bold red]{line}[/]", soft_wrap=True, highlight=False)
        raise typer.Exit(code=1) from None
    notes = [str(w.message) for w in caught]
    if as_json:
        echo_json(
            {
                "valid": True,
                "n_regions": len(reg),
                "imputed": reg.imputed,
                "unfilled": reg.unfilled,
                "notes": notes,
                "assumptions": reg.assumptions(),
            }
        )
        return
    ok = _(
        "{file}: {n} regions in {p} provinces",
        file=str(file),
        n=len(reg),
        p=len(reg.provinces()),
    )
    console.print(f"[green]OK[/] {ok}", highlight=False, soft_wrap=True)
    note_label, assumed = _("note:"), _("assumed:")
    for note in notes:
        console.print(f"[yellow]{note_label}[/] {note}", highlight=False, soft_wrap=True)
    for line in reg.assumptions():
        console.print(f"[yellow]{assumed}[/] {line}", highlight=False, soft_wrap=True)


@app.command(
    "import",
    help=_(
        "Map a foreign table onto the schema, validate, impute and write a registry file.\n\nPrints what was mapped (columns, kinds and their programme roles), imputed\nand refused, and what is assumed for the columns the table lacks. Nothing\nis written when a problem remains (unless --skip-invalid refuses those rows)."
    ),
)
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help=_("A foreign region table (CSV/TXT/TSV, XLSX, ...)."))
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help=_("Registry file to write (.csv or .parquet)."))
    ],
    columns: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help=_(
                "schema=source column pairs, comma-separated, e.g. "
                "name=Municipality,province=County (repeatable)."
            ),
        ),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind-map",
            help=_(
                "source kind=city|county|district|capital|excluded, e.g. "
                "township=county,village=excluded (repeatable)."
            ),
        ),
    ] = None,
    constants: Annotated[
        list[str] | None,
        typer.Option("--set", help=_("schema column=one value for every row, e.g. kind=county.")),
    ] = None,
    scale: Annotated[
        list[str] | None,
        typer.Option(
            "--scale", help=_("schema column=factor for its numbers, e.g. area_km2=1e-6.")
        ),
    ] = None,
    capital: Annotated[
        str | None, typer.Option("--capital", help=_("Id or name of the capital row."))
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option("--mapping", help=_("Mapping file (TOML); command-line entries win.")),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help=_("Text encoding of the file, e.g. latin-1."))
    ] = "utf-8",
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help=_("Refuse rows with problems and import the rest (listed).")
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Map a foreign table onto the schema, validate, impute and write a registry file.

    Prints what was mapped (columns, kinds and their programme roles), imputed
    and refused, and what is assumed for the columns the table lacks. Nothing
    is written when a problem remains (unless --skip-invalid refuses those rows).
    """
    from regdev.errors import DataValidationError
    from regdev.registry import write_regions
    from regdev.registry.io import read_raw_table
    from regdev.registry.mapping import (
        ColumnMapping,
        import_regions,
        load_mapping,
        mapping_from_options,
    )

    base = load_mapping(mapping_file) if mapping_file is not None else ColumnMapping()
    mapping = base.merged(
        mapping_from_options(
            columns=columns, kinds=kinds, constants=constants, scale=scale, capital=capital
        )
    )
    raw, first_row = read_raw_table(file, encoding=encoding)
    try:
        registry, report = import_regions(
            raw, mapping, file=str(file), first_row=first_row, skip_invalid=skip_invalid
        )
    except DataValidationError as exc:
        if as_json:
            echo_json(
                {
                    "written": False,
                    "problems": [str(p) for p in exc.problems],
                    "summary": exc.summary,
                }
            )
        else:
            _print_problems(exc.problems, exc.summary)
            err_console.print(
                _("{n} problem(s) in {file}; nothing written", n=len(exc.problems), file=str(file)),
                style="bold red",
                markup=False,
                soft_wrap=True,
            )
        raise typer.Exit(code=1) from None
    write_regions(registry, out)
    if as_json:
        echo_json({"written": True, "out": str(out), **report.to_dict()})
        return
    if report.refused:
        from regdev.errors import summarise_problems

        _print_problems(report.refused, summarise_problems(report.refused))
    for tag, line in report.summary_lines():
        style = "yellow" if tag in ("assumed", "refused", "unfilled") else None
        console.print(line, style=style, highlight=False, markup=False, soft_wrap=True)
    console.print(
        _("wrote {out} ({n} regions)", out=str(out), n=len(registry)),
        style="green",
        highlight=False,
        markup=False,
    )


@app.command("synth", help=_("Generate a synthetic country (deterministic by seed)."))
def synth(
    n_regions: Annotated[int, typer.Option("--regions", help=_("Number of regions (10-10,000)."))],
    out: Annotated[Path, typer.Option("--out", help=_("Output folder (replaced whole)."))],
    n_settlements: Annotated[
        int, typer.Option("--settlements", help=_("Number of settlements (0-1,000,000)."))
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help=_("Random seed."))] = 0,
) -> None:
    """Generate a synthetic country (deterministic by seed)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from regdev.registry.synth import synthesize, write_country

    start = time.perf_counter()
    regions_txt, settlements_txt = format(n_regions, ","), format(n_settlements, ",")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task(
            _(
                "generating {regions} regions, {settlements} settlements",
                regions=regions_txt,
                settlements=settlements_txt,
            )
        )
        country = synthesize(n_regions, n_settlements, seed=seed)
        progress.update(task, description=_("writing {out}", out=str(out)))
        write_country(country, out)
    console.print(
        _(
            "wrote {out}/regions.csv ({regions} regions), settlements.csv ({settlements}) "
            "and manifest.json in {s} s",
            out=str(out),
            regions=regions_txt,
            settlements=settlements_txt,
            s=format(time.perf_counter() - start, ".1f"),
        ),
        highlight=False,
    )


@app.command(
    "resources", help=_("List the controlled vocabulary of local resources and their synonyms.")
)
def resources_cmd(as_json: JsonOpt = False) -> None:
    """List the controlled vocabulary of local resources and their synonyms."""
    from regdev.registry import resource_vocabulary

    voc = resource_vocabulary()
    if as_json:
        echo_json({k: {"group": v.group, "synonyms": list(v.synonyms)} for k, v in voc.items()})
        return
    table = Table(title=_("Resource vocabulary"))
    for col in ("resource", "group", "synonyms", "description"):
        table.add_column(col)
    for r in voc.values():
        table.add_row(r.name, r.group, ", ".join(r.synonyms), r.description)
    console.print(table)


@app.command("schema", help=_("Print the region-table column specification as Markdown."))
def schema_cmd() -> None:
    """Print the region-table column specification as Markdown."""
    from regdev.registry import schema_markdown

    typer.echo(schema_markdown(), nl=False)


@app.command(
    "export", help=_("Write the (validated, imputed) region table to CSV or Parquet, atomically.")
)
def export(
    out: Annotated[Path, typer.Argument(help=_("Destination .csv or .parquet file."))],
    regions: RegionsOpt = None,
) -> None:
    """Write the (validated, imputed) region table to CSV or Parquet, atomically."""
    from regdev.registry import write_regions

    reg = load_registry(regions)
    write_regions(reg, out)
    console.print(_("wrote {n} regions to {out}", n=len(reg), out=str(out)), highlight=False)
