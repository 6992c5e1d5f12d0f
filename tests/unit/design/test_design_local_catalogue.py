"""Issue 17, items 4-6: a catalogue that is data, characteristic means local, a fair baseline."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from regdev.design import DesignOptions, design, load_catalogue, load_catalogue_dir
from regdev.design.baseline import central_production_cost, fair_baseline, scaled_plant_cost
from regdev.design.catalogue import CATALOGUE_FILES
from regdev.design.claims import main_input_shares, national_claims
from regdev.errors import DataValidationError
from regdev.registry import load_default, toy_region

PACKAGED = Path(__file__).resolve().parents[3] / "src" / "regdev" / "design" / "data"


# ------------------------------------------------------------------ item 4: catalogue as data
def test_every_resource_the_embedded_registry_mentions_is_used_or_unused_on_purpose():
    cat = load_catalogue()
    used = set(cat.resources)
    unused = set(cat.unused.index) if cat.unused is not None else set()
    mentioned: dict[str, int] = {}
    for cell in load_default().frame["resources"].fillna(""):
        for res in str(cell).split(";"):
            if res:
                mentioned[res] = mentioned.get(res, 0) + 1
    assert sum(mentioned.values()) > 300  # the registry does list resources
    orphans = {r: n for r, n in mentioned.items() if r not in used and r not in unused}
    assert orphans == {}
    assert not used & unused  # never both
    # the staples and specialities the issue names feed a line
    for staple in ("potato", "rice", "barley", "maize", "livestock", "coal", "fish"):
        assert staple in used, staple
    assert (cat.unused["reason"].str.len() > 10).all()


def test_a_catalogue_folder_replaces_only_the_files_it_holds(tmp_path):
    text = (
        (PACKAGED / "demand.csv").read_text("utf-8").replace("pickles,t,0.030", "pickles,t,0.001")
    )
    (tmp_path / "demand.csv").write_text(text, encoding="utf-8")
    cat = load_catalogue_dir(tmp_path)
    assert float(cat.demand.loc["pickles", "per_capita"]) == pytest.approx(0.001)
    assert str(tmp_path / "demand.csv") in cat.source
    assert "regdev:design/data/lines.csv" in cat.source
    assert len(cat.lines) == len(load_catalogue().lines)


def test_a_full_country_catalogue_folder_round_trips(tmp_path):
    for name in CATALOGUE_FILES:
        shutil.copy(PACKAGED / name, tmp_path / name)
    cat = load_catalogue_dir(tmp_path)
    ref = load_catalogue()
    assert cat.line_ids == ref.line_ids and cat.categories == ref.categories
    assert all(str(tmp_path) in part for part in cat.source.split("; "))


def test_catalogue_folder_errors_name_file_row_and_column(tmp_path):
    with pytest.raises(DataValidationError, match="not a folder"):
        load_catalogue_dir(tmp_path / "nope")
    with pytest.raises(DataValidationError, match="found none"):
        load_catalogue_dir(tmp_path)
    (tmp_path / "unused.csv").write_text(
        "resource,reason\nrice,not wanted\ngold,\nunobtainium,magic\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as exc:
        load_catalogue_dir(tmp_path)
    text = str(exc.value)
    unused = tmp_path / "unused.csv"
    assert f"{unused}:2:resource: expected a resource no line takes; 'rice'" in text
    assert f"{unused}:3:reason: expected why it is unused" in text
    assert f"{unused}:4:resource: expected a resource of the registry vocabulary" in text
    (tmp_path / "unused.csv").unlink()
    lines = (PACKAGED / "lines.csv").read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(",t,1.0,", ",t,heavy,", 1)
    (tmp_path / "lines.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        DataValidationError, match=r"lines\.csv:4:tonnes_per_unit: expected a number"
    ):
        load_catalogue_dir(tmp_path)


def test_a_custom_catalogue_names_its_own_lines_in_the_outputs(tmp_path):
    text = (
        (PACKAGED / "lines.csv")
        .read_text("utf-8")
        .replace("Pickled vegetables and kimchi", "Sauerkraut and pickles")
    )
    (tmp_path / "lines.csv").write_text(text, encoding="utf-8")
    res = design(toy_region(), catalogue=load_catalogue_dir(tmp_path))
    fac = res.factories_frame()
    assert set(fac.loc[fac["line"] == "pickles_kimchi", "line_name"]) == {"Sauerkraut and pickles"}


# ------------------------------------------------------------ item 5: characteristic means local
def _fake(x, u, *, inputs, requires, kinds, min_share=0.5):
    problem = SimpleNamespace(
        n_regions=x.shape[0],
        n_lines=x.shape[1],
        inputs=np.asarray(inputs, dtype=float),
        line_requires=np.asarray(requires),
        line_kinds=kinds,
        options=DesignOptions(min_local_share=min_share),
    )
    return SimpleNamespace(problem=problem, solution=SimpleNamespace(x=x, u=u), _memo={})


def test_main_input_share_hand_solved():
    # one county, two lines on fish: a characteristic line (100 units x 1.6 t = 160 t) and a
    # standard one (40 units x 1.0 t = 40 t); the county imports 150 of its 200 t of fish,
    # so both lines draw 25 % locally: the characteristic line does not count.
    x = np.array([[100.0, 40.0, 10.0]])
    u = np.array([[150.0, 0.0]])
    res = _fake(
        x,
        u,
        inputs=[[1.6, 0.0], [1.0, 0.0], [0.0, 2.0]],
        requires=[0, -1, 1],
        kinds=["characteristic", "standard", "characteristic"],
    )
    shares = main_input_shares(res)  # type: ignore[arg-type]
    assert shares[0, 0] == pytest.approx(0.25)
    assert np.isnan(shares[0, 1])
    assert shares[0, 2] == pytest.approx(1.0)  # the second resource is all local


def test_characteristic_lines_are_counted_only_when_local_and_inferred_supply_is_marked():
    res = design(toy_region())
    fac = res.factories_frame()
    char = fac[fac["kind"] == "characteristic"]
    assert len(char) > 0
    ok = char["main_input_local_share"] >= res.problem.options.min_local_share - 1e-9
    assert (char["counts_as_characteristic"] == ok).all()
    assert (~fac.loc[fac["kind"] == "standard", "counts_as_characteristic"]).all()
    # a second method: the raw-material table's imports give the same local shares
    raw = res.raw_material_base().set_index(["region_id", "resource"])
    for row in char.to_dict("records"):
        need, imported = raw.loc[(row["region_id"], row["main_input"]), ["need_t", "imported_t"]]
        assert row["main_input_local_share"] == pytest.approx(1 - imported / need, abs=1e-9)
    # T-B2 is coastal but does not list fish: its fish is inferred, and says so everywhere
    b2 = fac[(fac["region_id"] == "T-B2") & (fac["main_input"] == "fish")]
    assert len(b2) and set(b2["main_input_basis"]) == {"inferred"}
    assert all("inferred from terrain and area" in t for t in b2["enabled_by"])
    assert "fish" in res.dossier("T-B2")["raw_material_inferred"]
    raw_b2 = raw.loc[("T-B2", "fish")]
    assert raw_b2["local_supply_basis"] == "inferred"
    nat = national_claims(res)
    assert nat["characteristic_lines"] == len(char)
    assert nat["characteristic_lines_local"] == int(ok.sum())
    assert nat["characteristic_local_rule_share"] == pytest.approx(ok.mean())
    html = res.report_section_html()
    assert f"Characteristic lines: {len(char)}; {int(ok.sum())}" in html


# --------------------------------------------------------------------- item 6: fair baseline
def test_scaled_plant_cost_has_economies_of_scale():
    kw = dict(capex_module=300.0, labour_module=25.0, module_size=500.0, mes=300.0)
    kw |= dict(unit_cost=0.1, crf=0.117, wage_kusd=1.2)
    per_unit = [scaled_plant_cost(q, **kw) / q for q in (500, 5_000, 50_000)]
    assert per_unit[0] > per_unit[1] > per_unit[2]
    # without economies (exponents 1) the cost is linear in the capacity above the MES
    lin = dict(kw, exponent_capex=1.0, exponent_labour=1.0)
    assert scaled_plant_cost(5_000, **lin) == pytest.approx(10 * scaled_plant_cost(500, **lin))
    assert scaled_plant_cost(0, **kw) == 0.0


def test_fair_baseline_without_economies_equals_the_per_module_central_cost():
    """Second method: with both exponents 1 the plants cost the problem's central unit cost."""
    res = design(
        toy_region(), options=DesignOptions(scale_exponent_capex=1.0, scale_exponent_labour=1.0)
    )
    p = res.problem
    unit = np.array(p.metadata["central_unit_cost"])
    best = p.metadata["central_best_line"]
    seats, cap = p.metadata["centre_seat"], p.metadata["capital_id"]
    expected = 0.0
    for c in range(len(p.categories)):
        k = best[c]
        centres = seats if p.category_basic[c] else [cap] * p.n_regions
        for centre in set(centres):
            q = sum(p.demand[i, c] for i in range(p.n_regions) if centres[i] == centre)
            fixed = unit[c] - p.unit_cost[k]  # capital + labour per unit at full modules
            expected += fixed * max(q, p.mes[k]) + p.unit_cost[k] * q
    assert central_production_cost(p, p.demand) == pytest.approx(expected, rel=1e-9)


def test_fair_baseline_total_cost_claim_states_both():
    res = design(toy_region())
    fb = fair_baseline(res)
    lin = design(
        toy_region(), options=DesignOptions(scale_exponent_capex=1.0, scale_exponent_labour=1.0)
    )
    # economies of scale make central supply cheaper than the per-module baseline
    assert fb["baseline_production_kusd"] < fair_baseline(lin)["baseline_production_kusd"]
    assert fb["design_total_cost_kusd"] == pytest.approx(
        fb["design_production_kusd"] + fb["design_central_kusd"] + fb["design_transport_kusd"]
    )
    assert fb["total_cost_saved_share"] == pytest.approx(
        1 - fb["design_total_cost_kusd"] / fb["baseline_total_cost_kusd"]
    )
    nat = national_claims(res)
    assert nat["baseline_total_cost_kusd"] == pytest.approx(fb["baseline_total_cost_kusd"])
    html = res.report_section_html()
    assert "Total annual cost (production + transport)" in html
    assert "economies of scale" in html and "million t·km" in html


def test_scale_exponents_are_validated():
    from regdev.errors import ConfigError

    with pytest.raises(ConfigError, match="scale_exponent_capex"):
        replace(DesignOptions(), scale_exponent_capex=1.5).check()


def test_own_lines_without_own_unused_list_do_not_inherit_the_packaged_one(tmp_path):
    text = (PACKAGED / "lines.csv").read_text("utf-8")
    text += "gold_jewellery,Gold jewellery,minerals,characteristic,jams,t,1.0,gold:1.0,gold,1,5,100,130,170,10,500\n"
    (tmp_path / "lines.csv").write_text(text, encoding="utf-8")
    supply = (PACKAGED / "supply.csv").read_text(
        "utf-8"
    ) + "gold,flat,50000,1,0,0,0,0,0,where listed\n"
    (tmp_path / "supply.csv").write_text(supply, encoding="utf-8")
    cat = load_catalogue_dir(tmp_path)
    assert "gold" in cat.resources
    assert cat.unused is not None and cat.unused.empty
    # with the packaged unused.csv copied in, the contradiction is named
    shutil.copy(PACKAGED / "unused.csv", tmp_path / "unused.csv")
    with pytest.raises(
        DataValidationError, match=r"unused\.csv:2:resource: expected a resource no line"
    ):
        load_catalogue_dir(tmp_path)
