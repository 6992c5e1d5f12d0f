"""The report's and the CLI's catalogues: every message extracted is translated, in Korean."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from regdev.i18n import locale_dir
from regdev.i18n.tools import domains, extract

HANGUL = re.compile(r"[\uac00-\ud7a3]")
OURS = ("report", "cli")
#: Entries whose Korean is punctuation by design (" and " joining clauses becomes ", ").
PUNCTUATION_ONLY = {" and "}


def _catalogue(lang: str, domain: str):  # type: ignore[no-untyped-def]
    path = locale_dir() / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


@pytest.mark.parametrize("domain", OURS)
def test_zero_untranslated_messages_in_either_language(domain: str) -> None:
    spec = next(d for d in domains() if d.name == domain)
    source = {m.id if isinstance(m.id, str) else m.id[0] for m in extract(spec) if m.id}
    for lang in ("ko", "en"):
        cat = _catalogue(lang, domain)
        have = {
            (m.id if isinstance(m.id, str) else m.id[0]): m for m in cat if m.id and not m.fuzzy
        }
        missing = sorted(source - set(have))
        assert not missing, (lang, missing[:5])
        empty = [k for k in source if not have[k].string or have[k].string in ("", ("",))]
        assert not empty, (lang, empty[:5])


@pytest.mark.parametrize("domain", OURS)
def test_korean_translations_are_korean(domain: str) -> None:
    """A Korean entry that is not Korean text would be an English string left in place."""
    latin_only = []
    for m in _catalogue("ko", domain):
        if not m.id:
            continue
        text = m.string if isinstance(m.string, str) else " ".join(m.string)
        # messages that are only symbols, placeholders or units may stay as they are
        words = re.sub(
            r"\{[^}]*\}|[^A-Za-z]+", " ", str(m.id if isinstance(m.id, str) else m.id[0])
        )
        if m.id in PUNCTUATION_ONLY:
            continue
        if words.split() and not HANGUL.search(text):
            latin_only.append(m.id)
    assert not latin_only, latin_only[:10]
