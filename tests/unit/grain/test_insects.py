from __future__ import annotations

import numpy as np
import pytest

from regdev.grain import insects


def test_degree_days_and_generations() -> None:
    granarius = insects.PESTS[0]
    # 30 days at 20 degC: (20 - 9.97) * 30 = 300.9 DD -> 0.535 generations of 562 DD.
    temps = np.full((30 * 24, 2), 20.0)
    moist = np.full((30 * 24, 2), 14.0)
    assert insects.generations(temps, moist, granarius)[0] == pytest.approx(300.9 / 562)
    assert insects.generations(temps, np.full_like(moist, 9.0), granarius)[0] == 0.0
    assert float(insects.degree_days_per_hour(5.0, 14.0, granarius)) == 0.0


def test_risk_index_bounds() -> None:
    r = insects.insect_risk(np.array([5.0, 15.0, 25.0, 33.0, 60.0]), 14.0)
    assert np.all((r >= 0) & (r <= 1))
    assert r[0] == 0.0
    assert r[1] < r[2] <= r[3]
    assert r[4] == 0.0
