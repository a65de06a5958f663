"""A source's title is a text a person reads: a Dutch reader is told "(secundaire bron)" and "tekst van
1 januari 2026", not the English of the ruleset; the English reader keeps the ruleset's own words."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from regelgat.cli import main
from regelgat.rules.compiled import compile_rules
from regelgat.rules.lint import lint_rulesets
from regelgat.rules.ruleset import load_rulesets
from regelgat.rules.translations import bound_texts, catalog_path, load_texts

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = sorted((ROOT / "scenarios" / "personas").glob("*.yaml"))
DATE = "2026-01-15"
ENGLISH = ("secondary source", "text of", "paraphrase", "summarised", "read in")


def _check(persona: Path, lang: str, *more: str) -> str:
    result = CliRunner().invoke(main, ["check", str(persona), "--date", DATE, "--lang", lang, *more],
                                terminal_width=120)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.stem)
def test_dutch_story_and_full_cite_sources_in_dutch(persona):
    for more in ((), ("--full",)):
        text = _check(persona, "nl", *more).lower()
        assert [w for w in ENGLISH if w in text] == [], (persona.stem, more)


def test_english_keeps_the_rulesets_own_titles():
    full = "".join(_check(p, "en", "--full") for p in PERSONAS)
    assert "(secondary source)" in full and "(text of 1 Jan 2026)" in full
    assert "secundaire bron" not in full and "tekst van" not in full
    dutch = "".join(_check(p, "nl", "--full") for p in PERSONAS)
    assert "(secundaire bron)" in dutch and "(tekst van 1 januari 2026)" in dutch


def test_legal_names_and_addresses_stay_as_written():
    rulesets = load_rulesets(ROOT / "rulesets")
    texts = load_texts(rulesets, "nl")
    title = "Rechtbank Amsterdam 2019 (ECLI:NL:RBAMS:2019:6760): the self-reliance criterion is not contrary to the Wmo"
    assert texts(title).startswith("Rechtbank Amsterdam 2019 (ECLI:NL:RBAMS:2019:6760): ")
    assert texts.cited("Participatiewet art. 44 lid 5 (text of 1 Jan 2026) <https://wetten.overheid.nl/x>") == \
        "Participatiewet art. 44 lid 5 (tekst van 1 januari 2026) <https://wetten.overheid.nl/x>"
    # batch, route and map reports look titles up in the bound texts
    compiled = compile_rules(rulesets, dt.date.fromisoformat(DATE))
    dutch = bound_texts(compiled, "nl")
    assert dutch["WPI beleidsvoorschriften 4.7.7 via the Straatjurist (secondary source)"] == \
        "WPI beleidsvoorschriften 4.7.7 via de Straatjurist (secundaire bron)"


def test_lint_names_a_source_title_without_dutch(tmp_path):
    folder = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", folder)
    ruleset = next(r for r in load_rulesets(folder) if r.id == "wsnp")
    path = catalog_path(ruleset)
    catalog = read_po(path.open("rb"))
    catalog.get("Faillissementswet art. 285 (as summarised by Wsnp-zaken)").string = ""
    write_po(path.open("wb"), catalog)
    problems, _ = lint_rulesets(folder)
    assert any(": source title: no Dutch text (add a msgstr for 'Faillissementswet art. 285" in p for p in problems)
