"""Post-harvest loss rates with and without a modern grain store, from :mod:`regdev.grain`.

The storage part of the loss is the dry-matter loss of maize over the storage period,
from the ASAE D535 allowable-storage-time multipliers and the Saul & Steele (1966)
curve as implemented in :func:`regdev.grain.properties.allowable_storage_time_h` and
:func:`regdev.grain.properties.dml_from_equivalent_hours`:

* traditional storage: grain at ``traditional_moisture_pct`` and ``traditional_temp_c``;
* modern store: dried to regdev.grain's safe moisture (``safe_moisture_pct``) and cooled
  by aeration to ``modern_temp_c``.

The handling part (drying on the ground, threshing, transport) is a stated assumption
(``handling_loss_*`` in the coefficients).  Loss rate = handling + storage DML / 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regdev.grain import properties as gp


@dataclass(frozen=True)
class GrainLossRates:
    """Post-harvest loss fractions of the stored grain.

    Attributes
    ----------
    traditional, modern : float
        Loss fraction (0-1) without / with the modern store.
    storage_dml_traditional_pct, storage_dml_modern_pct : float
        The storage (dry-matter) part, percent, from regdev.grain.
    """

    traditional: float
    modern: float
    storage_dml_traditional_pct: float
    storage_dml_modern_pct: float

    @property
    def saved(self) -> float:
        """Fraction of the stored grain that the modern store saves."""
        return max(0.0, self.traditional - self.modern)


def _storage_dml_pct(temp_c: float, moisture_pct: float, days: float) -> float:
    ast_h = float(gp.allowable_storage_time_h(temp_c, moisture_pct))
    t_eq = days * 24.0 * gp.AST_REFERENCE_H / ast_h
    return float(gp.dml_from_equivalent_hours(t_eq))


def grain_loss_rates(grain: dict[str, Any]) -> GrainLossRates:
    """Loss rates from the ``[grain]`` section of the coefficients.

    Examples
    --------
    >>> from regdev.simulation.coefficients import load_coefficients
    >>> r = grain_loss_rates(load_coefficients()["grain"])
    >>> r.traditional > r.modern > 0
    True
    >>> round(r.storage_dml_modern_pct, 3)  # 8 degC, 14 % w.b., 180 days
    0.037
    """
    days = float(grain["storage_days"])
    safe = gp.safe_moisture_pct(str(grain["modern_grain"]))
    trad = _storage_dml_pct(
        float(grain["traditional_temp_c"]), float(grain["traditional_moisture_pct"]), days
    )
    modern = _storage_dml_pct(float(grain["modern_temp_c"]), safe, days)
    return GrainLossRates(
        traditional=float(grain["handling_loss_traditional"]) + trad / 100.0,
        modern=float(grain["handling_loss_modern"]) + modern / 100.0,
        storage_dml_traditional_pct=trad,
        storage_dml_modern_pct=modern,
    )
