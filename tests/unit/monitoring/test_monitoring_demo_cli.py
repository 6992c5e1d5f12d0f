from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from regdev.cli import app
from regdev.monitoring import backup, testing
from regdev.monitoring.demo import seed_demo
from regdev.monitoring.models import FactoryOperation, Site

DATA = Path(__file__).parents[2] / "data" / "monitoring"


def _content(engine) -> dict:  # noqa: ANN001
    tables = backup.dump_tables(engine)
    return {k: v for k, v in tables.items() if k not in ("audit_log", "audit_head", "plans")}


def test_demo_is_seeded_and_respects_reporting_start(session: Session) -> None:
    summary = seed_demo(session, rng=7, until=(2026, 10), use_planner=False)
    session.commit()
    assert summary.n_sites >= 25
    assert summary.n_operations > 500
    starts = {s.id: s.operating_since for s in session.execute(select(Site)).scalars()}
    for op in session.execute(select(FactoryOperation)).scalars():
        start = starts[op.site_id]
        assert (op.year, op.month) >= (start.year, start.month)
        assert 0 < op.output <= 1.06 * op.capacity


def test_demo_reproducible_with_seed() -> None:
    engines = [testing.sqlite_memory_engine() for _ in range(3)]
    for eng, seed in zip(engines, (3, 3, 4), strict=True):
        with Session(eng) as s:
            seed_demo(s, rng=seed, until=(2025, 6), use_planner=False)
            s.commit()
    a, b, c = (_content(e) for e in engines)
    assert a == b
    assert a["factory_operations"] != c["factory_operations"]


def test_cli_end_to_end(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    r = runner.invoke(app, ["db", "upgrade", "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["db", "import-plan", str(DATA / "plan_small"), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    assert '"n_projects": 5' in r.output
    r = runner.invoke(
        app, ["db", "seed-demo", "--db", db, "--until", "2026-06", "--no-plan", "--json"]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["users", "add", "chief", "--role", "national", "--db", db],
        env={"REGDEV_NEW_PASSWORD": "a long password"},
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["users", "add", "c1", "--role", "county", "--db", db],
        env={"REGDEV_NEW_PASSWORD": "a long password"},
    )
    assert r.exit_code != 0  # county needs --region
    r = runner.invoke(app, ["audit", "verify", "--db", db])
    assert r.exit_code == 0, r.output
    assert "chain intact" in r.output
    bak = tmp_path / "x.backup"
    assert runner.invoke(app, ["backup", str(bak), "--db", db]).exit_code == 0
    db2 = str(tmp_path / "restored.db")
    r = runner.invoke(app, ["restore", str(bak), "--db", db2])
    assert r.exit_code == 0, r.output
    assert "matches the backup" in r.output
    # tampering is detected by the CLI
    import sqlite3

    con = sqlite3.connect(db2)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 10")
    con.commit()
    con.close()
    r = runner.invoke(app, ["audit", "verify", "--db", db2])
    assert r.exit_code == 1


def test_demo_with_the_default_plan_does_not_duplicate_history() -> None:
    from collections import Counter

    from regdev.monitoring.models import Plan, Project

    eng = testing.sqlite_memory_engine()
    with Session(eng) as s:
        summary = seed_demo(s, rng=0, until=(2026, 6))
        s.commit()
        assert summary.plan_source.startswith("default plan from regdev.planning")
        plan = s.execute(select(Plan).where(Plan.name == "default plan")).scalar_one()
        n_new = s.execute(select(Project).where(Project.plan_id == plan.id)).scalars().all()
        assert len(n_new) == plan.meta["n_schedule_rows"] - plan.meta["n_rows_tracked_by_history"]
        assert len(n_new) > 500
        pairs = Counter(s.execute(select(Project.region_id, Project.facility)).all())
        assert max(pairs.values()) == 1
        # issue 10: factory sites the plan designs run exactly the design's lines
        designed = plan.meta["factory_lines"]
        assert summary.n_sites_designed >= 20
        n_checked = 0
        for site in s.execute(select(Site).where(Site.facility == "factories")).scalars():
            if site.region_id not in designed:
                continue
            want = {(ln["line"], round(ln["capacity"] / 12, 6)) for ln in designed[site.region_id]}
            got = {
                (o.line, round(o.capacity, 6))
                for o in s.execute(
                    select(FactoryOperation).where(FactoryOperation.site_id == site.id)
                ).scalars()
            }
            assert got == want, site.region_id
            n_checked += 1
        assert n_checked == summary.n_sites_designed


def test_serve_refuses_several_workers_on_an_in_memory_database() -> None:
    r = CliRunner().invoke(app, ["serve", "--db", "sqlite://", "--workers", "2"])
    assert r.exit_code == 1
    assert "in-memory database cannot be shared" in r.output


def test_demo_factory_sites_run_the_plan_designs_lines(tmp_path: Path) -> None:
    """A plan folder's ``factories.csv`` lines become the demo site's lines (issue 10)."""
    import shutil

    from regdev.monitoring.models import SiteLine

    folder = tmp_path / "plan"
    shutil.copytree(DATA / "plan_small", folder)
    (folder / "factories.csv").write_text(
        "region_id,line,modules,capacity,unit,jobs\n"
        "KP-PYN-SONGCHON,soy_sauce_paste,2,1200,t,40\n"
        "KP-PYN-SONGCHON,knitwear,1,600,k_pieces,30\n",
        encoding="utf-8",
    )
    eng = testing.sqlite_memory_engine()
    with Session(eng) as s:
        summary = seed_demo(s, rng=1, until=(2026, 6), plan_dir=folder)
        s.commit()
        site = s.execute(
            select(Site).where(Site.region_id == "KP-PYN-SONGCHON", Site.facility == "factories")
        ).scalar_one()
        ops = s.execute(select(FactoryOperation).where(FactoryOperation.site_id == site.id))
        seen = {(o.line, o.capacity, o.unit) for o in ops.scalars()}
        # monthly design capacity = the plan's yearly capacity / 12
        assert seen == {("soy_sauce_paste", 100.0, "t"), ("knitwear", 50.0, "k_pieces")}
        names = set(s.execute(select(SiteLine.name).where(SiteLine.site_id == site.id)).scalars())
        assert names == {"soy_sauce_paste", "knitwear"}
        # the other factory sites are not in this plan's design: generic demo lines
        assert summary.n_sites_designed == 1
        other = s.execute(
            select(FactoryOperation.line).where(FactoryOperation.site_id != site.id)
        ).scalars()
        assert "foodstuffs" in set(other)
