"""The unit of account: one money unit for every output of a plan (issue 10).

The planner's cost norms (``[sizing]``, ``[budget]`` of the scenario) and the
factory designer's catalogue (thousand USD) are converted into one unit of
account, named and defined in the scenario's ``[money]`` section:

``name``          what outputs call the unit (default ``"M USD"``, million US dollars);
``usd_per_unit``  US dollars in one unit (default 1,000,000);
``norm_units``    units of account per unit of the planner's cost norms (default 1.0).

**Default (a planning assumption, stated in docs/planning.md and the report):**
the planner's illustrative cost norms — formerly "million cost units" (MCU) —
are read as million US dollars (``norm_units = 1``), the same currency the
designer's catalogue is priced in.  Change ``norm_units`` when your norms are
in another currency or scale.

Only the plan folder, the report and the CLI convert: the planner and the
designer compute in their own units, and this module is the single place
that turns them into the unit of account.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_NAME = "M USD"
DEFAULT_USD_PER_UNIT = 1_000_000.0
DEFAULT_NORM_UNITS = 1.0


@dataclass(frozen=True)
class UnitOfAccount:
    """The money unit of a plan's outputs.

    Examples
    --------
    >>> u = UnitOfAccount()
    >>> u.from_kusd(4680.0), u.from_norm(6.1), u.format(4.68)
    (4.68, 6.1, '4.68 M USD')
    >>> UnitOfAccount("k EUR", usd_per_unit=1_080.0).from_kusd(1_080.0)
    1000.0
    """

    name: str = DEFAULT_NAME
    usd_per_unit: float = DEFAULT_USD_PER_UNIT
    norm_units: float = DEFAULT_NORM_UNITS

    def from_kusd(self, value: float) -> float:
        """Thousand US dollars (the design catalogue's unit) in units of account."""
        return float(value) * 1000.0 / self.usd_per_unit

    def from_norm(self, value: float) -> float:
        """The planner's cost-norm units in units of account."""
        return float(value) * self.norm_units

    def format(self, value: float, digits: int = 2) -> str:
        """``value`` with the unit's name (thousands separated)."""
        return f"{value:,.{digits}f} {self.name}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``plan.json["unit_of_account"]``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> UnitOfAccount:
        """From :meth:`to_dict` output or a scenario's ``money`` mapping (``None``: the default)."""
        if not data:
            return cls()
        return cls(
            name=str(data.get("name", DEFAULT_NAME)),
            usd_per_unit=float(data.get("usd_per_unit", DEFAULT_USD_PER_UNIT)),
            norm_units=float(data.get("norm_units", DEFAULT_NORM_UNITS)),
        )


KUSD_SUFFIX = "_kusd"


def convert_kusd(obj: Any, unit: UnitOfAccount) -> Any:
    """A copy of ``obj`` with every ``*_kusd`` key renamed (suffix dropped) and its value converted.

    Works through nested dicts and lists; numbers (or lists of numbers) under a
    ``*_kusd`` key are converted with :meth:`UnitOfAccount.from_kusd`.

    Examples
    --------
    >>> convert_kusd({"capital_cost_kusd": 4680.0, "lines": [{"x_kusd": [1.0, 2.0]}]}, UnitOfAccount())
    {'capital_cost': 4.68, 'lines': [{'x': [0.001, 0.002]}]}
    """
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and k.endswith(KUSD_SUFFIX):
                out[k[: -len(KUSD_SUFFIX)]] = _money(v, unit)
            else:
                out[k] = convert_kusd(v, unit)
        return out
    if isinstance(obj, list | tuple):
        return [convert_kusd(v, unit) for v in obj]
    return obj


def _money(value: Any, unit: UnitOfAccount) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return round(unit.from_kusd(value), 9)
    if isinstance(value, list | tuple):
        return [_money(v, unit) for v in value]
    return value
