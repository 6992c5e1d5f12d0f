"""Extension points of the plan pipeline (used e.g. by the factory designer).

A *plan hook* is a callable ``hook(plan, dossiers) -> PlanExtension`` that
may add files to the plan folder (e.g. ``factories.csv``), sections to
``report.html`` and entries to the per-region dossiers.  Register one with
:func:`register_plan_hook` (typically when your package is imported);
:func:`plan_hooks` imports ``regdev.design`` once so that its hooks register
themselves, then returns every hook sorted by name.

Example
-------
>>> from regdev.planning.hooks import PlanExtension, ReportSection, register_plan_hook
>>> def my_hook(plan, dossiers):
...     return PlanExtension(
...         files={"notes.txt": "hello"},
...         sections=[ReportSection("notes", "Notes", "<p>hello</p>")],
...         dossier_entries={},
...     )
>>> register_plan_hook("zz-doc-example", my_hook)
>>> unregister_plan_hook("zz-doc-example")
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regdev.planning.plan import Plan


@dataclass(frozen=True)
class ReportSection:
    """One section of ``report.html``.

    Parameters
    ----------
    id : str
        HTML id (anchor) of the section; unique.
    title : str
        Heading (also the table-of-contents entry).
    html : str
        The section body: an offline HTML fragment (no external URL).
    order : int, default 100
        Sections are sorted by ``order`` then ``id``; the built-in ones use 10–90.
    """

    id: str
    title: str
    html: str
    order: int = 100


@dataclass(frozen=True)
class PlanExtension:
    """What a hook adds to the plan folder.

    Parameters
    ----------
    files : dict of str to str or bytes
        Extra files by name (relative to the plan folder; no subfolders).
    sections : list of ReportSection
        Extra report sections.
    dossier_entries : dict of str to dict
        ``region_id -> {key: json-able value}`` merged into that region's dossier.
    plan_json : dict
        Extra keys stored under ``plan.json["extensions"][<hook name>]``.
    """

    files: dict[str, str | bytes] = field(default_factory=dict)
    sections: list[ReportSection] = field(default_factory=list)
    dossier_entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_json: dict[str, Any] = field(default_factory=dict)


PlanHook = Callable[["Plan", list[dict[str, Any]]], PlanExtension]

_HOOKS: dict[str, PlanHook] = {}
_DISCOVERED: list[str] = []
DISCOVER_MODULES: tuple[str, ...] = ("regdev.design",)


def _warn(mod: str, exc: BaseException) -> None:
    msg = f"plan hooks of {mod} could not be loaded ({type(exc).__name__}: {exc}); planning without them"
    warnings.warn(msg, RuntimeWarning, stacklevel=3)


def register_plan_hook(name: str, hook: PlanHook) -> None:
    """Register (or replace) the hook called ``name``."""
    _HOOKS[name] = hook


def unregister_plan_hook(name: str) -> None:
    """Remove a hook (no error when absent)."""
    _HOOKS.pop(name, None)


def plan_hooks(*, discover: bool = True) -> list[tuple[str, PlanHook]]:
    """Registered hooks sorted by name (importing :data:`DISCOVER_MODULES` first)."""
    if discover:
        for mod in DISCOVER_MODULES:
            if mod in _DISCOVERED:
                continue
            _DISCOVERED.append(mod)
            try:
                importlib.import_module(mod)
            except ModuleNotFoundError as exc:
                if exc.name is None or not mod.startswith(exc.name):
                    _warn(mod, exc)
            except Exception as exc:  # noqa: BLE001  # a broken extension must not stop planning
                _warn(mod, exc)
    return sorted(_HOOKS.items())
