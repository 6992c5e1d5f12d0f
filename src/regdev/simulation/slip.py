"""Construction slip: how long groundbreaking → inauguration takes, fitted from real dates.

The package's programme events (:func:`regdev.registry.load_programme_events`) record,
for the 2024 and 2025 cohorts, the month or day of groundbreaking and of inauguration.
Every (region, facility) with both dates gives one duration; a date known only to the
month is taken at the 15th; a date known only to the year is not used.  A log-normal
distribution is fitted by the sample mean and standard deviation of the log durations
(the maximum-likelihood fit).  A monitoring database can add its own pairs through
:func:`fit_slip` (``durations_months``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_DAYS_PER_MONTH = 365.25 / 12.0


def _parse(date: str) -> pd.Timestamp | None:
    text = str(date).strip()
    parts = text.split("-")
    if len(parts) == 3:
        return pd.Timestamp(text)
    if len(parts) == 2:
        return pd.Timestamp(f"{text}-15")
    return None


def event_durations_months(events: pd.DataFrame) -> pd.DataFrame:
    """Groundbreaking → inauguration durations in months, one row per (region, facility).

    Parameters
    ----------
    events : pandas.DataFrame
        With ``region_id``, ``facility``, ``event``, ``date`` (as the package's events).

    Returns
    -------
    pandas.DataFrame
        ``region_id, facility, groundbreaking, inauguration, months``.

    Examples
    --------
    >>> ev = pd.DataFrame({"region_id": ["A", "A", "B"], "facility": ["f", "f", "f"],
    ...     "event": ["groundbreaking", "inauguration", "groundbreaking"],
    ...     "date": ["2024-03", "2025-01-15", "2024-03"]})
    >>> round(float(event_durations_months(ev)["months"].iloc[0]), 2)
    10.02
    """
    ev = events[(events["region_id"].astype(str) != "")]
    rows = []
    for (rid, fac), grp in ev.groupby(["region_id", "facility"]):
        gb = [_parse(d) for d in grp.loc[grp["event"] == "groundbreaking", "date"]]
        ia = [_parse(d) for d in grp.loc[grp["event"] == "inauguration", "date"]]
        gbs = [d for d in gb if d is not None]
        ias = [d for d in ia if d is not None]
        if not gbs or not ias:
            continue
        start, end = min(gbs), max(ias)
        months = (end - start).days / _DAYS_PER_MONTH
        if months > 0:
            rows.append((rid, fac, start, end, months))
    return pd.DataFrame(
        rows, columns=["region_id", "facility", "groundbreaking", "inauguration", "months"]
    )


EVENT_FACILITY: dict[str, str] = {"regional_industry_factories": "factories"}
"""Facility names of the events file that differ from the planner's."""


def fractional_year(date: pd.Timestamp) -> float:
    """``2025-07-02`` → 2025.5 (day of year / days in year).

    Examples
    --------
    >>> fractional_year(pd.Timestamp("2025-01-01"))
    2025.0
    """
    days = 366.0 if date.is_leap_year else 365.0
    return float(date.year + (date.day_of_year - 1) / days)


def event_openings(events: pd.DataFrame) -> pd.DataFrame:
    """Real openings from events: ``region_id, facility, opened`` (fractional year).

    One row per (region, facility) with an inauguration dated to the month or day
    (the 15th when only the month is known); facility names as the planner's.
    """
    ev = events[(events["region_id"].astype(str) != "") & (events["event"] == "inauguration")]
    rows = []
    for (rid, fac), grp in ev.groupby(["region_id", "facility"]):
        dates = [d for d in (_parse(x) for x in grp["date"]) if d is not None]
        if dates:
            rows.append((rid, EVENT_FACILITY.get(str(fac), str(fac)), fractional_year(max(dates))))
    return pd.DataFrame(rows, columns=["region_id", "facility", "opened"])


@dataclass(frozen=True)
class SlipModel:
    """Log-normal construction duration (months).

    Attributes
    ----------
    mu, sigma : float
        Mean and standard deviation of the log duration.
    n : int
        Number of observed durations (0 = fallback assumption).
    source : str
    """

    mu: float
    sigma: float
    n: int
    source: str

    @property
    def median_months(self) -> float:
        """Median duration, months."""
        return float(np.exp(self.mu))

    def quantile_months(self, q: float) -> float:
        """Duration quantile ``q`` (months)."""
        from scipy.stats import norm

        return float(np.exp(self.mu + self.sigma * norm.ppf(q)))


def fit_slip(
    events: pd.DataFrame | None = None,
    *,
    durations_months: Sequence[float] = (),
    fallback_months: float = 11.0,
    fallback_sd_log: float = 0.15,
) -> SlipModel:
    """Fit the log-normal duration from events (and extra observed durations).

    With fewer than three durations the fallback assumption is returned (``n = 0``).

    Examples
    --------
    >>> m = fit_slip(durations_months=[10.0, 10.0, 10.0])
    >>> round(m.median_months, 6), m.sigma, m.n
    (10.0, 0.0, 3)
    """
    values = list(durations_months)
    source = "given durations"
    if events is not None:
        values = list(event_durations_months(events)["months"]) + values
        source = "programme events" + (" + given durations" if durations_months else "")
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr) & (arr > 0)]
    if arr.size < 3:
        return SlipModel(float(np.log(fallback_months)), float(fallback_sd_log), 0, "assumption")
    logs = np.log(arr)
    return SlipModel(float(logs.mean()), float(logs.std(ddof=0)), int(arr.size), source)


def default_slip(fallback_months: float = 11.0, fallback_sd_log: float = 0.15) -> SlipModel:
    """The slip model fitted from the package's own programme events."""
    from regdev.registry import load_programme_events

    return fit_slip(
        load_programme_events(),
        fallback_months=fallback_months,
        fallback_sd_log=fallback_sd_log,
    )
