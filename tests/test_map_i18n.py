"""`regelgat map` reads in Dutch and English: the interface from the catalog, the rules' own words
from the rulesets' Dutch catalogs; fact names, keys, sources and witnesses stay as written, and the
JSON contract stays English."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from regelgat.batch.wording import Words
from regelgat.cli import main
from regelgat.map.literals import conditions
from regelgat.map.regions import gap_map
from regelgat.rules.compiled import compile_rules
from regelgat.rules.translations import bound_texts

CORE = Path(__file__).parent / "fixtures" / "core"
SCENARIO = Path(__file__).parents[1] / "scenarios" / "low-income-amsterdam.yaml"
CARE = ["map", "care", "--rulesets", str(CORE), "--date", "2025-03-01"]
CHANGE = ["map", "income", "--rulesets", str(CORE), "--from", "2025-03-01", "--to", "2025-08-01"]


def _out(args, env=None):
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_gap_map_reads_in_dutch(fmt):
    out = _out(CARE + ["--format", fmt, "--lang", "nl"])
    assert "Gatenkaart: zorg op 2025-03-01" in out and "Volledig: de solver heeft bewezen" in out
    assert "Gebieden zonder dekking" in out and "Gebied 1" in out
    assert fmt != "text" or "voorbeeld (controleer met regelgat check)" in out
    assert "Complete:" not in out and "witness (" not in out and "Region " not in out and "shut by" not in out
    if fmt == "html":
        assert '<html lang="nl">' in out and "<th>bepaling</th>" in out


def test_the_language_comes_from_the_locale_and_json_stays_english():
    dutch = _out(CARE, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "nl_NL.UTF-8"})
    english = _out(CARE, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_GB.UTF-8"})
    assert dutch.startswith("Gatenkaart: zorg") and english.startswith("Gap map: care")
    nl = json.loads(_out(CARE + ["--format", "json", "--lang", "nl"]))
    assert nl == json.loads(_out(CARE + ["--format", "json", "--lang", "en"]))


def test_a_population_share_in_dutch_numbers():
    out = _out(CARE + ["--scenario", str(SCENARIO), "--size", "1500", "--lang", "nl"])
    assert "Populatie: Lage inkomens in Amsterdam" in out or "Populatie: " in out
    assert "van 1.500 profielen)" in out and "hebben geen voorziening voor zorg" in out
    assert "profiles" not in out


def test_the_change_map_reads_in_dutch():
    out = _out(CHANGE + ["--lang", "nl"])
    assert out.startswith("Gatenkaart van inkomen van 2025-03-01 tot 2025-08-01")
    assert "Gebieden die dichtgingen (een gat op 2025-03-01, gedekt op 2025-08-01)" in out
    assert "Gesloten gebied 1:" in out and "  omdat:" in out and "gesloten door:" in out
    # the cause: the rule change in Dutch words and numbers, the parameter's name and source as written
    assert "mini/bijstand criterium means: parameter norm_single 1.345,45 -> 1.369,06 (waarde vanaf 2025-07-01; " in out
    assert "because" not in out and "value from" not in out


def test_conditions_use_the_rules_dutch_and_keep_facts_and_keys(rulesets):
    compiled = compile_rules(rulesets, dt.date(2026, 1, 15))
    result = gap_map(compiled, "care")
    dutch, english = Words("nl", bound_texts(compiled, "nl")), Words("en")
    pairs = [(e, d) for region in result.regions
             for e, d in zip(conditions(region.literals, english), conditions(region.literals, dutch))]
    assert [e for e, _ in pairs] == [c for region in result.regions for c in region.conditions]  # English unchanged
    rules = [(e, d) for e, d in pairs if e.startswith("not met: ")]
    assert rules and all(d.startswith("niet voldaan: ") and d != "niet " + e[4:] for e, d in rules)
    assert all(d.endswith(e[e.rindex(" ("):]) for e, d in rules)  # the rule's key stays
    facts = [(e, d) for e, d in pairs if e.startswith("not ") and ":" not in e]
    assert facts and all(d == "niet " + e[4:] for e, d in facts)
