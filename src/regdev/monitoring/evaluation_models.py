"""Tables of the evaluation features (migration 0003).

``evaluation_decisions``
    A decision on a customer-loop recommendation (accepted or rejected), with the evidence
    and the designer signals as they were when it was taken.  Accepted decisions are the
    ``DB`` source of ``regdev plan design REGION --signals DB`` and of the signals download.
``process_changes``
    A dated change of a production line's process (a line upgrade, a new modernisation
    tier): control limits start a new version from that date.

Both carry ``region_id`` (and ``site_id``) so the scope rules of
:mod:`regdev.monitoring.auth` apply without a join.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from regdev.monitoring.models import Base, utcnow

__all__ = ["DECISIONS", "EvaluationDecision", "ProcessChange"]

#: Decisions on a recommendation.
DECISIONS: tuple[str, ...] = ("accepted", "rejected")


class EvaluationDecision(Base):
    """A decision on one recommendation (the latest one per ``rec_key`` counts)."""

    __tablename__ = "evaluation_decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted','rejected')", name="ck_evaluation_decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rec_key: Mapped[str] = mapped_column(String(200), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    line: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProcessChange(Base):
    """A dated process change of one line: a new version of its control limits."""

    __tablename__ = "process_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    line: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
