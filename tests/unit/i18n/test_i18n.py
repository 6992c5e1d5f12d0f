"""Message catalogues: complete in Korean and English, compiled, switchable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from regdev.errors import ConfigError
from regdev.i18n import (
    LANGUAGES,
    _,
    current_language,
    gettext,
    html_lang,
    ngettext,
    normalise_language,
    set_language,
    use_language,
)
from regdev.i18n.tools import check, domains, extract


def test_every_message_has_both_languages_and_is_compiled() -> None:
    problems = check()
    assert problems == [], "\n".join(problems)


def test_every_domain_has_messages() -> None:
    for domain in domains():
        assert len(extract(domain)) > 0, f"domain {domain.name} extracts no message"


def test_switching_language() -> None:
    with use_language("ko"):
        assert _("Language") == "언어"
        assert html_lang() == "ko"
        with use_language("en"):
            assert _("Language") == "Language"
        assert current_language() == "ko"
    assert gettext("Language", "ko") == "언어"
    assert gettext("Language", "en") == "Language"


def test_placeholders_and_plurals_fall_back_to_source() -> None:
    # an unknown message comes back in the source language, placeholders filled
    assert _("{n} regions in {p}", n=3, p="X") == "3 regions in X"
    assert ngettext("{n} county", "{n} counties", 1, n=1) == "1 county"
    assert ngettext("{n} county", "{n} counties", 2, n=2) == "2 counties"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("ko", "ko"), ("ko_KP.UTF-8", "ko"), ("ko-KR", "ko"), ("EN", "en"), ("C", "en"), (None, "en")],
)
def test_normalise_language(given: str | None, expected: str) -> None:
    assert normalise_language(given) == expected


def test_unsupported_language_lists_the_supported_ones() -> None:
    with pytest.raises(ConfigError, match="ko, en"):
        normalise_language("fr")


def test_environment_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGDEV_LANG", "ko_KP.UTF-8")
    with use_language(None):
        pass
    # a fresh context (a new process) reads REGDEV_LANG
    out = subprocess.run(
        [sys.executable, "-c", "from regdev.i18n import _; print(_('Language'))"],
        capture_output=True,
        text=True,
        check=True,
        env={"REGDEV_LANG": "ko", "PATH": ""},
    )
    assert out.stdout.strip() == "언어"


def test_set_language_returns_code() -> None:
    import contextvars

    ctx = contextvars.copy_context()
    assert ctx.run(set_language, "ko_KP") == "ko"
    assert ctx.run(current_language) == "ko"
    assert set(LANGUAGES) == {"ko", "en"}


def test_compiled_check_handles_plural_forms() -> None:
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from regdev.i18n.tools import compiled_matches

    cat = Catalog(locale="ko")
    cat.add(("{n} county", "{n} counties"), ("{n}개 군",))
    cat.add("Year", "연도")
    buf = io.BytesIO()
    write_mo(buf, cat)
    assert compiled_matches(cat, buf.getvalue())
    cat.add("Month", "월")  # a translation the .mo does not have yet
    assert not compiled_matches(cat, buf.getvalue())
