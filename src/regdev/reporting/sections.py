"""The parts of a report: sections and the rendered document."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSection:
    """One section of ``report.html``.

    Parameters
    ----------
    id : str
        HTML id (anchor) of the section; unique.
    title : str
        Heading (also the table-of-contents entry).
    html : str
        The section body: an offline HTML fragment (no external URL).
    order : int, default 100
        Sections are sorted by ``order`` then ``id``; the built-in ones use 10–90.
    """

    id: str
    title: str
    html: str
    order: int = 100


@dataclass(frozen=True)
class Report:
    """A rendered report: the HTML document and the sections it was made of.

    Attributes
    ----------
    html : str
        The whole document (UTF-8 text, no external reference).
    sections : tuple of ReportSection
        In document order.
    """

    html: str
    sections: tuple[ReportSection, ...]
