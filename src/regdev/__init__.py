"""regdev: plan, simulate and track a national regional-development programme.

The package is organised as a chain (see ``docs/design.md``)::

    registry -> planning, design -> reporting -> pipeline -> cli
    monitoring (database, API, dashboard)   grain (storage control)

``regdev.plan(...)`` runs the whole chain (problem → solve → explanations →
design → report) and returns one :class:`~regdev.pipeline.PlanResult`; write
it with ``result.write("out/plan")``.

Importing :mod:`regdev` is cheap: subpackages (and ``plan``, ``PlanOptions``,
``PlanResult``) are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from regdev._version import __version__
from regdev.errors import (
    ConfigError,
    DataValidationError,
    InfeasibleSpecificationError,
    InternalError,
    NotFoundError,
    NotSolvedError,
    RegdevError,
)

if TYPE_CHECKING:
    from regdev.pipeline import PlanOptions, PlanResult, plan
    from regdev.simulation import SimulationResult, simulate

_LAZY: dict[str, str] = {
    "plan": "regdev.pipeline",
    "PlanOptions": "regdev.pipeline",
    "PlanResult": "regdev.pipeline",
    "simulate": "regdev.simulation",
    "SimulationResult": "regdev.simulation",
}
"""Names offered here but imported from their module on first use (keeps ``import regdev`` light)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    msg = f"module 'regdev' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ConfigError",
    "DataValidationError",
    "InfeasibleSpecificationError",
    "InternalError",
    "NotFoundError",
    "NotSolvedError",
    "PlanOptions",
    "PlanResult",
    "RegdevError",
    "SimulationResult",
    "__version__",
    "plan",
    "simulate",
]
