"""Staff and medicines per first-aid post and county hospital; training needs by province and year.

Norms are read from ``data/norms.csv`` (each row cites its source or is
labelled an assumption; see ``data/SOURCES.md``):

* post doctors = ``max(1, ceil(population served / 550))`` (household-doctor
  norm), post nurses = 2;
* hospital doctors = 0.9 per 1,000 people of the county, beds = 2.5 per
  1,000, nurses = 0.6 per bed;
* medicines: WHO Interagency Emergency Health Kit modules per year — posts
  ``ceil(people / 1,000) × 12/3`` basic modules, hospitals
  ``ceil(people / 10,000) × 12/3`` supplementary modules;
* training: doctors 6 years, nurses 2 years before the facility opens.

Examples
--------
>>> norms = load_norms()
>>> post_staff(1200.0, norms)
{'doctors': 3, 'nurses': 2, 'iehk_basic_modules_per_year': 8}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib import resources

import pandas as pd

from regdev.health.siting import CountySiting


def load_norms() -> dict[str, float]:
    """The norms as ``{key: value}``."""
    text = resources.files("regdev.health").joinpath("data/norms.csv").read_text()
    from io import StringIO

    frame = pd.read_csv(StringIO(text))
    return {str(k): float(v) for k, v in zip(frame["key"], frame["value"], strict=True)}


def norms_table() -> pd.DataFrame:
    """The norms with unit, kind (norm / assumption) and source, for reports."""
    text = resources.files("regdev.health").joinpath("data/norms.csv").read_text()
    from io import StringIO

    return pd.read_csv(StringIO(text))


def post_staff(population: float, norms: Mapping[str, float]) -> dict[str, int]:
    """Doctors, nurses and yearly basic medicine modules of one first-aid post."""
    doctors = max(
        int(norms["min_doctors_per_post"]),
        math.ceil(population / norms["people_per_household_doctor"]),
    )
    modules = math.ceil(population / norms["iehk_basic_people"]) * int(12 / norms["iehk_months"])
    return {
        "doctors": doctors,
        "nurses": int(norms["nurses_per_post"]),
        "iehk_basic_modules_per_year": modules,
    }


def hospital_staff(population: float, norms: Mapping[str, float]) -> dict[str, int]:
    """Doctors, beds, nurses and yearly supplementary modules of a county hospital."""
    beds = math.ceil(population / 1000 * norms["hospital_beds_per_1000"])
    return {
        "doctors": math.ceil(population / 1000 * norms["hospital_doctors_per_1000"]),
        "beds": beds,
        "nurses": math.ceil(beds * norms["hospital_nurses_per_bed"]),
        "iehk_supplementary_modules_per_year": math.ceil(
            population / norms["iehk_supplementary_people"]
        )
        * int(12 / norms["iehk_months"]),
    }


def staffing_table(
    sitings: Sequence[CountySiting], norms: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """One row per post and one per hospital: staff and medicines."""
    nm = norms or load_norms()
    rows: list[dict[str, object]] = []
    for s in sitings:
        for rec in s.posts.to_dict("records"):
            rows.append(
                {
                    "region_id": s.region_id,
                    "facility": "first_aid_post",
                    "facility_id": rec["post_id"],
                    "population_served": rec["population_served"],
                    **post_staff(float(rec["population_served"]), nm),
                }
            )
        rows.append(
            {
                "region_id": s.region_id,
                "facility": "county_hospital",
                "facility_id": f"{s.region_id}-H",
                "population_served": s.population,
                **hospital_staff(s.population, nm),
            }
        )
    return pd.DataFrame(rows).fillna(0)


def training_requirement(
    staffing: pd.DataFrame,
    opening_year: Mapping[str, int],
    province_of: Mapping[str, str],
    norms: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Medical workers who must **start** training, by province and year.

    Parameters
    ----------
    staffing : pandas.DataFrame
        :func:`staffing_table` output.
    opening_year : mapping region_id → year
        When each county's hospital (and its posts) open — e.g. the
        planner's hospital project years.
    province_of : mapping region_id → province

    Returns
    -------
    pandas.DataFrame
        ``province, year, doctors_to_start, nurses_to_start,
        doctors_needed_by, nurses_needed_by`` where ``year`` is the year
        training must start (opening − training years) — the planner's
        hospital lead time.
    """
    nm = norms or load_norms()
    dy, ny = int(nm["doctor_training_years"]), int(nm["nurse_training_years"])
    per = staffing.groupby("region_id")[["doctors", "nurses"]].sum()
    rows = []
    for rid, rec in per.iterrows():
        if rid not in opening_year:
            continue
        year = int(opening_year[str(rid)])
        prov = province_of.get(str(rid), "")
        rows.append(
            {
                "province": prov,
                "year": year - dy,
                "doctors_to_start": int(rec["doctors"]),
                "nurses_to_start": 0,
                "doctors_needed_by": year,
                "nurses_needed_by": year,
            }
        )
        rows.append(
            {
                "province": prov,
                "year": year - ny,
                "doctors_to_start": 0,
                "nurses_to_start": int(rec["nurses"]),
                "doctors_needed_by": year,
                "nurses_needed_by": year,
            }
        )
    if not rows:
        return pd.DataFrame(columns=["province", "year", "doctors_to_start", "nurses_to_start"])
    out = (
        pd.DataFrame(rows)
        .groupby(["province", "year"], as_index=False)[["doctors_to_start", "nurses_to_start"]]
        .sum()
    )
    return out.sort_values(["province", "year"]).reset_index(drop=True)


def training_lead_years(norms: Mapping[str, float] | None = None) -> int:
    """Years of training before a hospital can open (the longest course)."""
    nm = norms or load_norms()
    return int(max(nm["doctor_training_years"], nm["nurse_training_years"]))
