from __future__ import annotations

from sqlalchemy.orm import Session

from regdev.monitoring import audit
from regdev.monitoring.dashboard.cache import CachedResponse, PageCache, data_version
from regdev.monitoring.db import make_engine
from regdev.monitoring.models import Base


def _resp(text: str) -> CachedResponse:
    return CachedResponse(text.encode(), "text/html")


def test_lru_evicts_least_recently_used() -> None:
    cache = PageCache(max_entries=2)
    cache.put(("a",), _resp("A"))
    cache.put(("b",), _resp("B"))
    assert cache.get(("a",)) == _resp("A")  # a is now most recent
    cache.put(("c",), _resp("C"))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) == _resp("A")
    assert cache.get(("c",)) == _resp("C")
    assert len(cache) == 2
    assert cache.hits_ == 3
    assert cache.misses_ == 1
    cache.clear()
    assert len(cache) == 0


def test_zero_capacity_disables() -> None:
    cache = PageCache(max_entries=0)
    cache.put(("a",), _resp("A"))
    assert cache.get(("a",)) is None


def test_data_version_moves_with_every_audited_change() -> None:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        assert data_version(s) == (0, "")
        audit.record(s, actor="t", changes=[audit.Change("create", "things", "1", None, {"x": 1})])
        s.flush()
        v1 = data_version(s)
        audit.record(
            s, actor="t", changes=[audit.Change("update", "things", "1", {"x": 1}, {"x": 2})]
        )
        s.flush()
        v2 = data_version(s)
    assert v1[0] == 1
    assert v2[0] == 2
    assert v1[1] != v2[1]
    assert len(v2[1]) == 64
