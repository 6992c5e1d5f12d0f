"""Evaluation: pilot appraisal, the emulation drive, quality control and the customer loop.

Four principles of the 20x10 policy as library functions over DataFrames (the monitoring
service reads its database into frames and calls them; nothing here imports the web
framework, the database layer or the CLI toolkit):

* :mod:`~regdev.evaluation.finance` — NPV, IRR (numpy-financial), payback;
* :mod:`~regdev.evaluation.appraisal` — ex-ante (plan folder) and ex-post (records)
  appraisal with a sensitivity table; :mod:`~regdev.evaluation.scenario` its parameters;
* :mod:`~regdev.evaluation.composite` — OECD/JRC composite indicators with Monte Carlo
  rank intervals, delta ranking, "learn from" pairing;
  :mod:`~regdev.evaluation.emulation` — indicator panels from records, league tables;
* :mod:`~regdev.evaluation.spc` — control charts, run rules, versioned limits;
  :mod:`~regdev.evaluation.quality` — charts of quality records per line;
* :mod:`~regdev.evaluation.customer` — satisfaction, complaints, recommendations and the
  signals file the factory designer takes.

See ``docs/evaluation.md``.
"""

from __future__ import annotations

from regdev.evaluation.appraisal import Appraisal, appraise_design, appraise_records, line_values
from regdev.evaluation.composite import (
    EMULATION_INDICATORS,
    CompositeMethod,
    Indicator,
    composite_scores,
    delta_ranking,
    learn_from,
    rank_intervals,
)
from regdev.evaluation.customer import (
    Recommendation,
    design_inputs,
    line_summary,
    read_signals,
    recommend,
    signals_from_recommendations,
    write_signals,
)
from regdev.evaluation.emulation import League, league_table, panel_from_records, peer_groups
from regdev.evaluation.finance import discounted_payback, irr, npv, payback
from regdev.evaluation.scenario import AppraisalScenario, load_scenario

__all__ = [
    "EMULATION_INDICATORS",
    "Appraisal",
    "AppraisalScenario",
    "CompositeMethod",
    "Indicator",
    "League",
    "Recommendation",
    "appraise_design",
    "appraise_records",
    "composite_scores",
    "delta_ranking",
    "design_inputs",
    "discounted_payback",
    "irr",
    "learn_from",
    "league_table",
    "line_summary",
    "line_values",
    "load_scenario",
    "npv",
    "panel_from_records",
    "payback",
    "peer_groups",
    "rank_intervals",
    "read_signals",
    "recommend",
    "signals_from_recommendations",
    "write_signals",
]
