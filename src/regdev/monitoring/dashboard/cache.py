"""Rendered-page cache keyed by the head of the audit chain.

Every change to the monitoring data goes through the core's ``crud`` functions, which
append to the hash-chained audit log in the same transaction.  The chain head
(``audit_head.seq``, ``audit_head.hash``) is therefore a version number of the whole
database: a rendered page (or CSV) stays valid until the head moves.  A cache hit
costs one primary-key lookup instead of a dozen aggregations and a template render.

The key also holds the user (id and scope columns, so scope changes can never leak a
page) and the UTC date (pages show "due" and "last 24 months" relative to today).
The cache is per process, bounded (LRU) and thread-safe.  Writes that bypass the
audit log (raw SQL, restoring an older backup that happens to end at the same
``seq`` *and* hash) are the only way to see a stale page; the hash makes the latter
impossible for different histories.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regdev.monitoring.models import AuditHead, User

__all__ = ["CachedResponse", "PageCache", "data_version", "page_key"]


@dataclass(frozen=True)
class CachedResponse:
    """A rendered response body with its media type and extra headers."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


def data_version(session: Session) -> tuple[int, str]:
    """The audit-chain head ``(seq, hash)``; ``(0, "")`` before the first change."""
    row = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return (0, "") if row is None else (int(row[0]), str(row[1]))


def page_key(session: Session, user: User, path: str, query: str) -> tuple[Hashable, ...]:
    """Cache key of one page for one user at the current data version and date."""
    return (
        path,
        query,
        user.id,
        user.role,
        user.province_id,
        user.region_id,
        user.site_id,
        data_version(session),
        dt.datetime.now(dt.UTC).date().toordinal(),
    )


class PageCache:
    """A bounded, thread-safe LRU mapping of keys to :class:`CachedResponse`.

    Parameters
    ----------
    max_entries : int
        Capacity; ``0`` disables the cache.
    """

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Hashable, ...], CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self.hits_ = 0
        self.misses_ = 0

    def get(self, key: tuple[Hashable, ...]) -> CachedResponse | None:
        """The cached response for ``key``, or ``None``."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses_ += 1
                return None
            self._data.move_to_end(key)
            self.hits_ += 1
            return value

    def put(self, key: tuple[Hashable, ...], value: CachedResponse) -> None:
        """Store ``value``, evicting the least recently used entries beyond capacity."""
        if self.max_entries <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
