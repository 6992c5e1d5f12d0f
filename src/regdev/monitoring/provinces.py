"""Find a province by its ISO code, English name or Korean name (one resolver for the CLI).

``users add --province`` (and any other option that takes a province) calls
:func:`resolve_province`, which accepts ``KP-07``, ``Kangwon``, ``kangwon province``,
``강원도`` or ``강원`` and, for anything else, raises an error listing every valid value.
Korean names of the default country come from ``data/provinces_ko.csv`` (sources in
``data/SOURCES.md``) when the database has none.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring.models import Province
from regdev.registry.province_lookup import ProvinceName, match_province, province_keys

_SUFFIXES_EN = (" province", " special city", " directly governed city", " city")
_SUFFIXES_KO = ("특별시", "직할시", "도", "시")


@lru_cache(maxsize=1)
def korean_names() -> dict[str, str]:
    """ISO code → Korean name of the default country's provinces."""
    text = resources.files("regdev.monitoring").joinpath("data/provinces_ko.csv").read_text("utf-8")
    return {r["province_iso"]: r["name_ko"] for r in csv.DictReader(text.splitlines())}


def _keys(pid: str, name: str, name_ko: str | None) -> set[str]:
    return province_keys(pid, name, name_ko) | province_keys(None, name, korean_names().get(pid))


def resolve_province(session: Session, text: str) -> str:
    """The id of the province that ``text`` names.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read the provinces with.
    text : str
        ISO code / id, English name or Korean name (case, spacing and a trailing
        "Province" / "도" do not matter).

    Returns
    -------
    str
        The province id.

    Raises
    ------
    NotFoundError
        If no province matches; the message lists every valid value.
    """
    rows = session.execute(select(Province.id, Province.name, Province.name_ko)).all()
    names = [
        ProvinceName(str(pid), str(pid), str(name), name_ko or korean_names().get(pid))
        for pid, name, name_ko in rows
    ]
    # the shared matcher (also used by `regdev data list --province`); Korean names from
    # the database or data/provinces_ko.csv
    for r in names:
        if r.value and _keys(r.value, r.name, r.name_ko) & _query_keys(text):
            return r.value
    return match_province(names, text)  # raises NotFoundError listing every valid value


def _query_keys(text: str) -> set[str]:
    return province_keys(None, text, None)
