"""Dutch for the rulesets' texts: lint finds what is missing, and bound texts read like Dutch."""

import datetime as dt
import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from regelgat.rules.compiled import compile_rules
from regelgat.rules.lint import lint_rulesets
from regelgat.rules.ruleset import load_rulesets
from regelgat.rules.translations import catalog_path, load_texts, texts_to_translate, write_catalog

ROOT = Path(__file__).resolve().parent.parent


def test_every_bundled_text_has_dutch_with_the_same_placeholders():
    problems, summary = lint_rulesets(ROOT / "rulesets")
    assert problems == [] and summary.endswith("clean")


def test_lint_names_a_missing_or_stale_dutch_text(tmp_path):
    folder = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", folder)
    ruleset = next(r for r in load_rulesets(folder) if r.id == "wsnp")
    path = catalog_path(ruleset)
    catalog = read_po(path.open("rb"))
    catalog.get("You are already in a Wsnp scheme. (Since July 2023 a new one is possible after it ends; "
                "the old 10-year bar is gone.)").string = ""
    title = catalog.get("Admission to the Wsnp (toelating tot de schuldsanering)")
    good_faith = next(m for m in catalog if "{good_faith_years_required}" in m.id)
    good_faith.string = good_faith.string.replace("{good_faith_years_required}", "drie")
    write_po(path.open("wb"), catalog)
    problems, _ = lint_rulesets(folder)
    assert any("wsnp_toelating/already_in_wsnp: text: no Dutch text" in p for p in problems)
    assert any("wsnp_toelating/good_faith: text: the Dutch text must use the same {placeholders}" in p for p in problems)
    assert title.string and not any("wsnp_toelating: title" in p for p in problems)
    # --write-catalogs keeps every translation and adds the missing text back, empty.
    write_catalog(ruleset)
    again = read_po(path.open("rb"))
    assert again.get(title.id).string == title.string
    assert [m.id for m in again if m.id] == [text for text, _ in texts_to_translate(ruleset)]


def test_dutch_texts_fill_amounts_the_dutch_way():
    rulesets = load_rulesets(ROOT / "rulesets")
    compiled = compile_rules(rulesets, dt.date(2026, 1, 15))
    effect = next(e for e in compiled.effects if e.rule.id == "ex_partner_host_joint_household")
    dutch = load_texts(rulesets, "nl").rule(effect)
    norm = dict(effect.parameters)["norm_couple"]
    assert f"{norm:,.2f}" in effect.text  # English: 2,027.79
    assert f"{norm:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") in dutch  # Dutch: 2.027,79
    assert dutch.startswith("U slaapt meer dan de helft van de nachten")
    assert load_texts(rulesets, "en").rule(effect) == effect.text
