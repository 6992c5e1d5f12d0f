"""The controlled vocabulary of local resources (raw materials and specialities).

The canonical names, their groups and their synonyms live in
``data/resources.csv``; :func:`normalise_resource` maps any synonym (case-
and space-insensitive) to its canonical name.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Resource:
    """One entry of the resource vocabulary.

    Parameters
    ----------
    name : str
        Canonical name (``snake_case``).
    group : str
        Family: crop, fibre, orchard, forest, livestock, sea, mineral, stone,
        water, energy, service or industry.
    synonyms : tuple of str
        Other spellings accepted on input.
    description : str
        What the resource stands for.
    """

    name: str
    group: str
    synonyms: tuple[str, ...]
    description: str


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


@functools.cache
def resource_vocabulary() -> dict[str, Resource]:
    """Return the vocabulary keyed by canonical name.

    Returns
    -------
    dict of str to Resource
        All known resources.
    """
    text = resources.files("regdev.registry").joinpath("data/resources.csv").read_text("utf-8")
    out: dict[str, Resource] = {}
    for row in csv.DictReader(io.StringIO(text)):
        syn = tuple(s.strip() for s in row["synonyms"].split(";") if s.strip())
        out[row["resource"]] = Resource(row["resource"], row["group"], syn, row["description"])
    return out


@functools.cache
def _synonym_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for res in resource_vocabulary().values():
        table[_key(res.name)] = res.name
        for s in res.synonyms:
            table[_key(s)] = res.name
    return table


def normalise_resource(token: str) -> str | None:
    """Map a resource name or synonym to its canonical name.

    Parameters
    ----------
    token : str
        A resource as written in an input file (any case, spaces or
        underscores).

    Returns
    -------
    str or None
        The canonical name, or ``None`` when the token is unknown.

    Examples
    --------
    >>> normalise_resource("Sweet Potato")
    'sweet_potato'
    >>> normalise_resource("kelp")
    'seaweed'
    >>> normalise_resource("unobtainium") is None
    True
    """
    return _synonym_map().get(_key(token))


def resources_in_group(group: str) -> frozenset[str]:
    """Return the canonical resources of one group (e.g. ``"sea"``)."""
    return frozenset(r.name for r in resource_vocabulary().values() if r.group == group)
