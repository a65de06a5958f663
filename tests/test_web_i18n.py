"""Every interface string (web page, check's story, batch reports) exists in Dutch, and the compiled catalog is current."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent / "regelgat"
LOCALE = PACKAGE / "i18n" / "locale"
PO = LOCALE / "nl" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "w": None}  # w: a batch report's Words
    return {message for _, _, message, *_ in extract_from_dir(str(PACKAGE), method_map, keywords=keywords)
            if isinstance(message, str)}


def test_every_string_the_page_shows_has_a_dutch_translation():
    catalog = read_po(PO.open("rb"))
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - translated)
    assert not missing, f"add Dutch for these to {PO} (pybabel update, then compile): {missing[:5]}"


def test_the_compiled_catalog_matches_the_po_file():
    po = {m.id: m.string for m in read_po(PO.open("rb")) if m.id}
    mo = {m.id: m.string for m in read_mo(MO.open("rb")) if m.id}
    assert po == mo, f"run: pybabel compile -d {LOCALE} -D messages"
