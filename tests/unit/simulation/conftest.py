"""Fixtures of the simulator tests: a hand-built two-region model and the default plan."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from regdev.simulation.coefficients import load_coefficients
from regdev.simulation.grainloss import GrainLossRates
from regdev.simulation.leontief import leontief_from_transactions
from regdev.simulation.model import Z_GRID, ModelArrays
from regdev.simulation.slip import SlipModel

SECTORS = ["agriculture", "industry", "commerce", "households"]


def hand_io():
    """Agriculture pays half its output to households; households spend 0.2 on agriculture.

    I - A restricted to (agriculture, households) = [[1, -0.2], [-0.5, 1]], det 0.9, so
    L = [[1, 0.2], [0.5, 1]] / 0.9; industry and commerce have no inputs (L = I there).
    """
    z = pd.DataFrame(0.0, index=SECTORS, columns=SECTORS)
    z.loc["households", "agriculture"] = 50.0
    z.loc["agriculture", "households"] = 20.0
    x = pd.Series([100.0, 100.0, 100.0, 100.0], index=SECTORS)
    jobs = pd.Series([0.1, 0.0, 0.0, 0.0], index=SECTORS)
    return leontief_from_transactions(z, x, jobs)


def hand_coefficients() -> dict:
    values = copy.deepcopy(load_coefficients().values)
    values["income"].update(
        national_per_capita_usd=1000.0,
        population_growth=0.0,
        capital_growth_premium=0.0,
        growth_mean=0.0,
    )
    values["factories"].update(
        markup=0.0,
        wage_ratio=1.2,
        commerce_margin=0.1,
        import_price_premium=0.1,
        raw_material_growth=0.0,
        ramp_start=0.5,
    )
    values["timing"]["groundbreaking_month"] = 3
    values["consumption"]["mpc"] = 0.8
    values["prices"].update(pass_through=0.5, max_price_cut=0.15)
    values["uncertainty"]["demand_growth"] = 0.0
    values["access"].update(weight_health=0.6, weight_leisure=0.4)
    return values


def two_region_model(*, programme: bool = True) -> ModelArrays:
    """Region A (1000 people, 1000 USD) with a factory planned for 2024; B (3000, 500 USD).

    The factory: sales 400 kUSD/yr at full output, local raw materials 100 kUSD/yr,
    50 jobs; no raw-material limit (the table is 1 everywhere); ramp-up over one year
    from 0.5; a hospital in A with a health score 0.5.  No capital.
    """
    coef = hand_coefficients()
    years = np.arange(2024, 2028)
    never = np.zeros(2)
    on = np.array([2024.0, 0.0]) if programme else never
    zeros = np.zeros(2)
    return ModelArrays(
        region_ids=("A", "B"),
        names=("A", "B"),
        provinces=("P", "Q"),
        years=years,
        pop0=np.array([1000.0, 3000.0]),
        pop_growth=0.0,
        province_index=np.array([0, 1]),
        capital=-1,
        y0=np.array([1000.0, 500.0]),
        access0=np.array([0.4, 0.3]),
        fac_year=on,
        ramp_years=np.array([1.0, 1.0]),
        q_value=np.array([[400.0, 0.0], [0.0, 0.0]]) if programme else np.zeros((2, 2)),
        cap_ratio=np.ones((2, 2)),
        fac_jobs=np.array([50.0, 0.0]) if programme else zeros,
        local_mat=np.array([[100.0, 0.0], [0.0, 0.0]]) if programme else np.zeros((2, 2)),
        transport_saved=zeros,
        rm_table=np.ones((2, 2, len(Z_GRID))),
        sea_local_t=zeros,
        hosp_year=on,
        hosp_staff=zeros,
        health_score=np.array([0.5, 0.0]),
        leis_year=never,
        leis_staff=zeros,
        leisure_score=zeros,
        grain_year=never,
        grain_staff=zeros,
        grain_saved_t=zeros,
        off_year=never,
        off_t=zeros,
        off_jobs=zeros,
        io=hand_io(),
        slip=SlipModel(float(np.log(10.0)), 0.0, 3, "hand"),
        grain_loss=GrainLossRates(0.05, 0.02, 1.0, 0.1),
        coef=coef,
    )


@pytest.fixture
def two_regions() -> ModelArrays:
    return two_region_model()


@pytest.fixture(scope="session")
def default_plan_result():
    """The default country's plan (the pipeline, as `regdev plan`)."""
    import regdev

    return regdev.plan()


@pytest.fixture(scope="session")
def default_plan_dir(tmp_path_factory, default_plan_result):
    """The same plan written as a plan folder."""
    out = tmp_path_factory.mktemp("simplan") / "plan"
    default_plan_result.write(out)
    return out
