"""External anchors of the audit chain: signed chain heads kept outside the database.

The hash chain (:mod:`regdev.monitoring.audit`) shows any change to an entry *unless*
the attacker rewrites every entry after it and the head as well (someone with write
access to the database can do that).  An **anchor** is the chain head
``(seq, hash)`` at some moment, signed with a key that is not in the database
(HMAC-SHA256), appended as one JSON line to a file outside the database.  ``regdev
audit verify --anchors FILE --anchor-key KEYFILE`` then checks, for every anchor,
its signature and that the entry ``seq`` still has that hash and the chain still
reaches it: a rewrite of anything up to the newest anchor, or a truncation before it,
is detected.

What anchors cannot show (see ``docs/security.md``): changes after the newest anchor
(anchor often: ``regdev audit anchor`` from cron, or ``REGDEV_ANCHOR_FILE`` with
``regdev serve``, which anchors every ``anchor_interval_minutes`` while the head
moves); an attacker who also holds the anchor key and can rewrite the anchor file
(keep a copy of the file on another machine or on write-once storage, and the key
off the database server where possible); deleting the anchor file (verify then has
nothing to compare with and says so).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from regdev._atomic import atomic_write_bytes
from regdev.errors import ConfigError, DataValidationError, Problem
from regdev.monitoring.models import AuditEntry, AuditHead

__all__ = [
    "AnchorReport",
    "Anchorer",
    "append_anchor",
    "make_key",
    "read_key",
    "verify_anchors",
]

FORMAT = "regdev-audit-anchor/1"


def make_key(path: str | Path) -> Path:
    """Write a new random anchor key (64 hex characters) to ``path``, owner-only.

    Raises
    ------
    ConfigError
        If ``path`` exists (a key is never overwritten: old anchors need it).
    """
    p = Path(path)
    if p.exists():
        msg = f"{p} exists; an anchor key is never overwritten (earlier anchors need it)"
        raise ConfigError(msg)
    atomic_write_bytes(p, (secrets.token_hex(32) + "\n").encode(), mode=0o600)
    return p


def read_key(path: str | Path) -> bytes:
    """The anchor key in ``path``.

    Raises
    ------
    ConfigError
        If the file is missing, empty or shorter than 32 characters.
    """
    p = Path(path)
    try:
        key = p.read_text(encoding="utf-8").strip()
    except OSError as exc:
        msg = f"anchor key {p}: {exc.strerror or exc}"
        raise ConfigError(msg) from exc
    if len(key) < 32:
        msg = (
            f"anchor key {p} is shorter than 32 characters; make one with `regdev audit anchor-key`"
        )
        raise ConfigError(msg)
    return key.encode()


def _payload(seq: int, head_hash: str, at: str) -> bytes:
    doc = {"format": FORMAT, "seq": seq, "hash": head_hash, "at": at}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    head = session.get(AuditHead, 1)
    return (0, "0" * 64) if head is None else (int(head.seq), str(head.hash))


def append_anchor(session: Session, *, path: str | Path, key: bytes) -> dict[str, Any]:
    """Append the signed current chain head to the anchor file ``path``.

    The line is appended with ``O_APPEND`` and fsynced (earlier lines are never
    rewritten); the file is created owner-only.

    Returns
    -------
    dict
        The anchor written: ``seq``, ``hash``, ``at``, ``sig``.
    """
    seq, head_hash = _head(session)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    payload = _payload(seq, head_hash, at)
    line = {**json.loads(payload), "sig": _sign(key, payload)}
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


@dataclass(frozen=True)
class AnchorReport:
    """Result of :func:`verify_anchors`."""

    ok: bool
    n_anchors: int
    newest_seq: int | None
    message: str


def verify_anchors(session: Session, *, path: str | Path, key: bytes) -> AnchorReport:
    """Check every anchor in ``path`` against the database's audit chain.

    Returns
    -------
    AnchorReport
        ``ok`` is false at the first anchor whose signature is wrong, whose entry no
        longer exists (chain truncated) or whose entry hash differs (chain rewritten).

    Raises
    ------
    DataValidationError
        If the file is missing or a line is not an anchor.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataValidationError(
            [Problem(str(p), None, None, f"cannot read the anchor file ({exc.strerror or exc})")]
        ) from exc
    anchors: list[dict[str, Any]] = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            seq, head_hash, at, sig = (
                int(doc["seq"]),
                str(doc["hash"]),
                str(doc["at"]),
                str(doc["sig"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DataValidationError(
                [Problem(str(p), i, None, "expected an anchor line (seq, hash, at, sig)")]
            ) from exc
        if not hmac.compare_digest(_sign(key, _payload(seq, head_hash, at)), sig):
            msg = f"anchor on line {i} (seq {seq}) has a wrong signature: the file was altered or another key was given"
            return AnchorReport(False, len(anchors), None, msg)
        anchors.append({"seq": seq, "hash": head_hash, "at": at, "line": i})
    if not anchors:
        return AnchorReport(False, 0, None, f"{p} holds no anchors: nothing to compare with")
    head_seq, _ = _head(session)
    for a in anchors:
        if a["seq"] == 0:
            continue
        stored = session.execute(
            select(AuditEntry.hash).where(AuditEntry.seq == a["seq"])
        ).scalar_one_or_none()
        if stored is None or a["seq"] > head_seq:
            msg = (
                f"anchor of {a['at']} (line {a['line']}) names entry {a['seq']}, which no longer "
                f"exists (the chain ends at {head_seq}): entries were removed"
            )
            return AnchorReport(False, len(anchors), a["seq"], msg)
        if stored != a["hash"]:
            msg = (
                f"entry {a['seq']} differs from the anchor of {a['at']} (line {a['line']}): "
                "the chain was rewritten up to or past that point"
            )
            return AnchorReport(False, len(anchors), a["seq"], msg)
    newest = max(anchors, key=lambda a: a["seq"])
    msg = (
        f"{len(anchors)} anchors verified (newest: entry {newest['seq']} at {newest['at']}); "
        f"entries after {newest['seq']} are covered by the hash chain only"
    )
    return AnchorReport(True, len(anchors), int(newest["seq"]), msg)


class Anchorer:
    """Appends an anchor every ``interval_s`` seconds while the chain head moves (a thread).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The monitoring database.
    path, key_path : str
        Anchor file and key file.
    interval_s : float
        Seconds between checks.
    """

    def __init__(self, engine: Engine, path: str, key_path: str, interval_s: float) -> None:
        self.engine = engine
        self.path = path
        self.key = read_key(key_path)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._last: tuple[int, str] | None = None
        self._thread = threading.Thread(target=self._run, name="regdev-anchor", daemon=True)

    def start(self) -> None:
        """Start anchoring (one anchor at once, then periodically)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current step."""
        self._stop.set()

    def tick(self) -> bool:
        """Anchor the head if it moved since the last anchor; whether one was written."""
        with Session(self.engine) as session:
            head = _head(session)
            if head == self._last:
                return False
            append_anchor(session, path=self.path, key=self.key)
            self._last = head
            return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a failed anchor must not stop the service
                import logging

                logging.getLogger("regdev.monitoring").exception("audit anchor failed")
            self._stop.wait(self.interval_s)
