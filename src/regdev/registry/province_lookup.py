"""Find a province by its ISO code, English name or Korean name (one matcher for every caller).

The matching rules (case, spacing, a trailing "Province" / "도" / "시" do not matter) were
written for ``regdev users add --province`` (:mod:`regdev.monitoring.provinces`, which reads
the provinces from the database); this module holds them without any database so that the
region registry's commands (``regdev data list --province``) accept the same spellings,
and an unknown value lists every valid one.

Examples
--------
>>> from regdev.registry import load_default
>>> from regdev.registry.province_lookup import registry_provinces, match_province
>>> rows = registry_provinces(load_default())
>>> [match_province(rows, t) for t in ("KP-07", "kangwon province", "강원도", "강원")]
['Kangwon', 'Kangwon', 'Kangwon', 'Kangwon']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from regdev.errors import NotFoundError
from regdev.i18n import _

if TYPE_CHECKING:
    from regdev.registry.regions import RegionRegistry

__all__ = ["ProvinceName", "match_province", "province_keys", "registry_provinces"]

_SUFFIXES_EN = (" province", " special city", " directly governed city", " city")
_SUFFIXES_KO = ("특별시", "직할시", "도", "시")


class ProvinceName(NamedTuple):
    """One province: the value to return, its code, English and Korean names."""

    value: str
    code: str | None
    name: str
    name_ko: str | None


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def province_keys(code: str | None, name: str, name_ko: str | None) -> set[str]:
    """Every spelling that names the province (normalised)."""
    keys = {_norm(name)}
    if code:
        keys.add(_norm(code))
    for suffix in _SUFFIXES_EN:
        if _norm(name).endswith(suffix):
            keys.add(_norm(name)[: -len(suffix)])
    if name_ko:
        keys.add(_norm(name_ko))
        for suffix in _SUFFIXES_KO:
            if name_ko.endswith(suffix) and len(name_ko) > len(suffix):
                keys.add(_norm(name_ko[: -len(suffix)]))
    return keys


def valid_values(rows: Sequence[ProvinceName]) -> str:
    """The valid spellings, one province each: ``KP-07 Kangwon (강원도); …``."""
    return "; ".join(
        " ".join(x for x in (r.code, r.name) if x) + (f" ({r.name_ko})" if r.name_ko else "")
        for r in sorted(rows, key=lambda r: (r.code or "", r.name))
    )


def match_province(rows: Sequence[ProvinceName], text: str) -> str:
    """The ``value`` of the province that ``text`` names.

    Raises
    ------
    NotFoundError
        No province matches; the message lists every valid value.
    """
    want = {_norm(text)}
    for suffix in _SUFFIXES_EN:
        if _norm(text).endswith(suffix) and len(_norm(text)) > len(suffix):
            want.add(_norm(text)[: -len(suffix)])
    for r in rows:
        if want & province_keys(r.code, r.name, r.name_ko):
            return r.value
    msg = _(
        "unknown province {text!r}; expected one of: {valid}",
        text=text,
        valid=valid_values(rows)
        or _("(no provinces loaded yet: run `regdev db seed-demo` or load regions)"),
    )
    raise NotFoundError(msg)


def registry_provinces(registry: RegionRegistry) -> list[ProvinceName]:
    """The provinces of a region registry (value: the registry's province name)."""
    frame = registry.frame
    ko: dict[str, str] = {}
    codes: dict[str, str] = {}
    if "province_iso" in frame.columns:
        iso = frame.dropna(subset=["province_iso"]).groupby("province")["province_iso"].first()
        codes = {str(k): str(v) for k, v in iso.items()}
        try:
            from regdev.registry.boundaries import province_shapes

            shapes = province_shapes()
            for prov, code in codes.items():
                feat = shapes.features.get(code)
                if feat is not None:
                    ko[prov] = feat.local_name("ko")
        except Exception:  # noqa: BLE001 - Korean names are optional spellings
            ko = {}
    return [ProvinceName(p, codes.get(p), p, ko.get(p)) for p in registry.provinces()]
