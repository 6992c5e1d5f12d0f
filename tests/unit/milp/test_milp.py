"""The shared modelling layer: builder, HiGHS run, status, gap, certificate, MPS writer."""

from __future__ import annotations

import doctest
import importlib
import math

import highspy
import numpy as np
import pytest

from regdev._milp import (
    MatrixBuilder,
    SolveStatus,
    certify,
    relative_gap,
    solve,
    write_mps,
)
from regdev.errors import InternalError

INF = np.inf


def knapsack(capacity: float = 10.0) -> MatrixBuilder:
    """max 10a + 13b + 7c s.t. 4a + 6b + 3c ≤ capacity, binary.

    With capacity 10 the optimum is 23 (a and b, weight 10); b + c gives 20,
    a + c 17, and all three weigh 13.
    """
    m = MatrixBuilder("knapsack", sense="maximize")
    m.add_columns(
        "pick",
        lower=np.zeros(3),
        upper=np.ones(3),
        cost=[10.0, 13.0, 7.0],
        integer=True,
        names=["pick[a]", "pick[b]", "pick[c]"],
    )
    m.add_rows(
        "weight",
        np.zeros(3, dtype=np.int64),
        np.arange(3),
        [4.0, 6.0, 3.0],
        [-INF],
        [capacity],
        None,
        ["weight[bag one]"],
    )
    return m


@pytest.mark.parametrize(
    "name", ["regdev._milp.result", "regdev._milp.builder", "regdev._milp.certificate"]
)
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0


def test_builder_names_families_blocks_and_sums_duplicates():
    m = MatrixBuilder("t", sense="minimize", families=("b", "a"))
    m.add_columns("x", lower=[0, 0], upper=[1, 1], cost=[1, 2], integer=True, names=["x 0", "x\t1"])
    m.add_columns("y", lower=[0], upper=[INF], cost=[3], integer=False, names=["y[0]"])
    first = m.add_rows("a", [0, 0, 0], [0, 0, 2], [1.0, 2.0, 1.0], [1.0], [INF], [[7, 8]], ["a[0]"])
    second = m.add_rows("c", [0, 1], [1, 2], [1.0, 1.0], [-INF, 0], [4.0, 5.0], None, ["c0", "c1"])
    assert (first, second) == (0, 1)
    model = m.build()
    assert model.families == ("b", "a", "c")  # declared ones first, then as first used
    assert model.rows_of("a").tolist() == [0] and model.rows_of("c").tolist() == [1, 2]
    assert model.rows_of("b").size == 0 and model.rows_of("zz").size == 0
    assert model.col_names == ["x_0", "x_1", "y[0]"]
    assert model.block("y") == slice(2, 3)
    assert model.integer.tolist() == [True, True, False] and model.n_integer == 2
    assert model.matrix.toarray().tolist() == [[3.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert model.row_key.tolist() == [[7, 8], [-1, -1], [-1, -1]]
    assert model.lp.sense_ == highspy.ObjSense.kMinimize
    assert list(model.lp.row_lower_)[1] == -highspy.kHighsInf


def test_builder_rejects_inconsistent_blocks():
    m = MatrixBuilder("t")
    m.add_columns("x", lower=[0], upper=[1], cost=[1], integer=True, names=["x"])
    with pytest.raises(InternalError, match="added twice"):
        m.add_columns("x", lower=[0], upper=[1], cost=[1], integer=True, names=["x"])
    with pytest.raises(InternalError, match="differ in length"):
        m.add_columns("z", lower=[0, 0], upper=[1], cost=[1], integer=True, names=["z"])
    with pytest.raises(InternalError, match="names"):
        m.add_rows("r", [0], [0], [1.0], [0.0], [1.0], None, ["r0", "r1"])
    m.add_rows("r", [0], [5], [1.0], [0.0], [1.0], None, ["r0"])
    with pytest.raises(InternalError, match="outside"):
        m.build()


def test_solve_finds_the_known_optimum_and_certifies_it():
    model = knapsack().build()
    res = solve(model, time_limit=10, mip_rel_gap=0.0)
    assert res.status == SolveStatus.OPTIMAL and res.optimal and res.has_solution
    assert res.objective == pytest.approx(23.0)
    assert res.x.tolist() == [1.0, 1.0, 0.0]
    assert res.gap == 0.0 and res.bound == pytest.approx(23.0)
    assert res.certificate is not None and res.certificate.ok()
    assert res.certificate.max_violation == 0.0
    assert res.solver_version.count(".") == 2


def test_solve_reports_infeasibility_in_the_one_vocabulary():
    m = knapsack()
    m.add_rows("atleast", [0, 0], [0, 1], [1.0, 1.0], [3.0], [INF], None, ["atleast[2]"])
    res = solve(m.build())
    assert res.status == "infeasible" and not res.has_solution
    assert res.x is None and math.isnan(res.objective) and res.certificate is None
    assert SolveStatus("no_solution").has_solution is False
    assert repr(SolveStatus.FEASIBLE) == "'feasible'" and f"{SolveStatus.FEASIBLE}" == "feasible"


def test_relative_gap_is_sense_aware():
    assert relative_gap(90.0, 100.0, "maximize") == pytest.approx(10 / 90)
    assert relative_gap(110.0, 100.0, "minimize") == pytest.approx(10 / 110)
    assert relative_gap(100.0, 99.999, "maximize") == 0.0  # bound below the objective: noise
    assert relative_gap(1.0, math.nan, "minimize") == math.inf
    assert math.isnan(relative_gap(math.nan, 1.0, "minimize"))


def test_certificate_catches_rows_bounds_and_integrality():
    model = knapsack(capacity=10.0).build()
    over = certify(model, [1.0, 1.0, 1.0])  # weight 13 > 10
    assert over.max_violation == pytest.approx(3.0)
    assert over.max_scaled_violation == pytest.approx(0.3)
    assert over.worst == "weight[bag_one]" and not over.ok()
    out_of_bounds = certify(model, [2.0, 0.0, 0.0])
    assert out_of_bounds.worst == "pick[a]" and out_of_bounds.max_violation == pytest.approx(1.0)
    fractional = certify(model, [0.5, 0.0, 0.0])
    assert fractional.max_violation == 0.0
    assert fractional.max_integrality_violation == pytest.approx(0.5) and not fractional.ok()
    noise = certify(model, [1.0, 1.0 + 1e-13, 0.0])
    assert noise.ok() and noise.worst is None
    with pytest.raises(ValueError, match="3 columns"):
        certify(model, [1.0])


def test_mps_writer_is_atomic_and_round_trips(tmp_path):
    model = knapsack().build()
    target = tmp_path / "k.mps"
    target.write_text("old content", encoding="utf-8")
    assert write_mps(model, target) == target
    text = target.read_text("utf-8")
    assert "OBJSENSE" in text and "MAX" in text and "weight[bag_one]" in text
    assert [p.name for p in tmp_path.iterdir()] == ["k.mps"]  # no temporary file left
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(target))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(23.0)


def test_mps_writer_keeps_the_old_file_when_highs_fails(tmp_path, monkeypatch):
    model = knapsack().build()
    target = tmp_path / "k.mps"
    target.write_text("old content", encoding="utf-8")
    monkeypatch.setattr(highspy.Highs, "writeModel", lambda self, path: highspy.HighsStatus.kError)
    with pytest.raises(OSError, match="could not write"):
        write_mps(model, target)
    assert target.read_text("utf-8") == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["k.mps"]
