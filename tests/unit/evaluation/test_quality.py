"""Quality charts per line with process-change versions, and alerts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from regdev.evaluation import quality


def _records(n: int = 30, spike_at: int = 26) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        bad = int(rng.binomial(200, 0.03)) if i != spike_at else 40
        rows.append(
            {
                "site_id": 7,
                "region_id": "R1",
                "line": "soy sauce",
                "date": dt.date(2024, 1, 1) + dt.timedelta(days=7 * i),
                "lot_code": f"L{i:03d}",
                "sample_size": 200,
                "n_defective": bad,
                "defects": {"packaging": bad},
            }
        )
    return pd.DataFrame(rows)


def test_spike_becomes_an_alert_with_the_rule() -> None:
    charts = quality.line_charts(_records())
    assert len(charts) == 1
    al = quality.alerts(charts)
    spikes = [a for a in al if a.lot_code == "L026" and a.rule == "WE1"]
    assert {a.chart for a in spikes} == {"p", "u"}
    assert spikes[0].description.startswith("One point beyond")


def test_process_change_starts_a_new_version() -> None:
    changes = pd.DataFrame(
        {
            "site_id": [7],
            "line": ["soy sauce"],
            "date": [dt.date(2024, 4, 1)],
            "reason": ["upgrade to tier 3"],
        }
    )
    c = quality.line_charts(_records(), changes=changes)[0]
    assert [v.version for v in c.p.versions] == [0, 1]
    assert c.p.versions[1].reason == "upgrade to tier 3"
    d = c.to_dict()
    assert d["p"]["versions"][1]["start"] >= "2024-04-01"
    assert d["p"]["points"][0]["lot_code"] == "L000"
