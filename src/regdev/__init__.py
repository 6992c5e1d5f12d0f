"""regdev: plan, simulate and track a national regional-development programme.

The package is organised as a chain (see ``docs/design.md``)::

    registry -> planning -> simulation -> reporting
    monitoring (database, API, dashboard)   grain (storage control)   cli

Importing :mod:`regdev` is cheap: subpackages are imported on first use.
"""

from __future__ import annotations

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

__all__ = [
    "ConfigError",
    "DataValidationError",
    "InfeasibleSpecificationError",
    "InternalError",
    "NotFoundError",
    "NotSolvedError",
    "RegdevError",
    "__version__",
]
