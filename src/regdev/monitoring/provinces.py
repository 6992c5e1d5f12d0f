"""Find a province by its ISO code, English name or Korean name (one resolver for the CLI).

``users add --province`` (and any other option that takes a province) calls
:func:`resolve_province`, which accepts ``KP-07``, ``Kangwon``, ``kangwon province``,
``강원도`` or ``강원`` and, for anything else, raises an error listing every valid value.
Korean names of the default country come from ``data/provinces_ko.csv`` (sources in
``data/SOURCES.md``) when the database has none.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.errors import NotFoundError
from regdev.monitoring.models import Province

_SUFFIXES_EN = (" province", " special city", " directly governed city", " city")
_SUFFIXES_KO = ("특별시", "직할시", "도", "시")


@lru_cache(maxsize=1)
def korean_names() -> dict[str, str]:
    """ISO code → Korean name of the default country's provinces."""
    text = resources.files("regdev.monitoring").joinpath("data/provinces_ko.csv").read_text("utf-8")
    return {r["province_iso"]: r["name_ko"] for r in csv.DictReader(text.splitlines())}


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _keys(pid: str, name: str, name_ko: str | None) -> set[str]:
    keys = {_norm(pid), _norm(name)}
    for suffix in _SUFFIXES_EN:
        if _norm(name).endswith(suffix):
            keys.add(_norm(name)[: -len(suffix)])
    for ko in (name_ko, korean_names().get(pid)):
        if ko:
            keys.add(_norm(ko))
            for suffix in _SUFFIXES_KO:
                if ko.endswith(suffix) and len(ko) > len(suffix):
                    keys.add(_norm(ko[: -len(suffix)]))
    return keys


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
    want = _norm(text)
    for pid, name, name_ko in rows:
        if want in _keys(pid, name, name_ko):
            return str(pid)
    valid = "; ".join(
        f"{pid} {name}" + (f" ({ko})" if (ko := name_ko or korean_names().get(pid)) else "")
        for pid, name, name_ko in sorted(rows)
    )
    msg = f"unknown province {text!r}; expected one of: {valid or '(no provinces loaded yet: run `regdev db seed-demo` or load regions)'}"
    raise NotFoundError(msg)
