from benchsmoke import run_quick


def test_bench_synth_quick_runs():
    out = run_quick("bench_synth.py", timeout=120)
    assert "200 regions, 20,000 settlements" in out
    assert "ratio candidate/baseline" in out
