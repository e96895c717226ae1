"""Every string clients see is translated into every language Careloop offers.

Strings are found the way `makemessages` finds them, without needing GNU gettext: templates go
through Django's own `templatize`, Python files through the AST (calls to gettext and friends).
Each must be in every locale's .po with a translation that keeps its placeholders, and the
compiled .mo must say the same as the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SOURCES = ROOT / "careloop"
LOCALE = ROOT / "locale"
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
TEMPLATIZED_CALL = re.compile(r"\b(n?gettext)\(u'((?:[^'\\]|\\.)*)'(?:, u'((?:[^'\\]|\\.)*)')?")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _unescape(text: str) -> str:
    return str(ast.literal_eval("'" + text + "'"))


def _template_strings(path: Path) -> set[str]:
    found = set()
    for match in TEMPLATIZED_CALL.finditer(templatize(path.read_text("utf-8"), origin=str(path))):
        found.add(_unescape(match.group(2)))
    return found


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if (
            name in GETTEXT_NAMES
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            found.add(first.value)
    return found


def marked_strings() -> set[str]:
    strings: set[str] = set()
    for path in SOURCES.rglob("*"):
        if "tests" in path.parts or not path.is_file():
            continue
        if path.suffix in (".html", ".txt") and "templates" in path.parts:
            strings |= _template_strings(path)
        elif path.suffix == ".py":
            strings |= _python_strings(path)
    return strings


def test_the_extraction_finds_the_public_pages_strings() -> None:
    strings = marked_strings()
    assert "Something went wrong" in strings  # a template
    assert "Who are you?" in strings  # a Python form label
    assert len(strings) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid: e for e in po if not e.obsolete}
    missing = sorted(s for s in marked_strings() if s not in translated)
    assert missing == [], f"not in locale/{language}: run makemessages and translate"
    for entry in translated.values():
        assert "fuzzy" not in entry.flags, entry.msgid
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert form.strip(), f"{language}: no translation for {entry.msgid!r}"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                f"{language}: placeholders differ in {entry.msgid!r}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr_plural[1]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, (
                f"locale/{language} .mo is stale: recompile it (scripts/i18n)"
            )
