"""Reforms: a proposal applied beside the bundled rules, the population decided on both sides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import ROOT
from regelgat.batch.wording import ENGLISH, Words
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import VectorEngine
from regelgat.population.generate import derive
from regelgat.reform.apply import apply_reform, load_reform
from regelgat.reform.compare import compare, reform_sides
from regelgat.reform.model import ReformFile
from regelgat.reform.people import load_people
from regelgat.reform.report import reform_flags, render, to_json
from regelgat.rules.changes import rule_changes
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets

REFORMS = ROOT / "scenarios" / "reforms"
RULES = ROOT / "rulesets"


def _compare(reform_path: Path, population: Path, size: int | None = None, examples: int = 3, practice: bool = False):
    reform = load_reform(reform_path)
    rulesets = load_rulesets(RULES)
    people = load_people(population, size)
    day = people.date or reform.spec.valid_from
    before, after = reform_sides(RULES, compile_rules(rulesets, day, practice),
                                 compile_rules(apply_reform(rulesets, reform), day, practice), reform.id)
    return reform, people, compare(people, before, after, examples)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "regelgat", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_social_worker_reform_closes_most_housing_gaps_of_divorced_working_men():
    reform, people, c = _compare(REFORMS / "temporary-housing-self-reliant.yaml",
                                 ROOT / "scenarios" / "divorced-working-men.yaml")
    # The base: housing gap cases counted straight from the bundled rules, not from the comparison.
    engine = VectorEngine(c.before.compiled)
    gap_cases = 0
    for pop, _ in people.chunks():
        needs = np.stack([pop.values[f"needs.{n}"] for n in NEEDS])
        gap_cases += int(engine.run(derive(pop), needs).gaps[NEEDS.index("housing")].sum())
    closed = c.sections["closed_gaps"]["housing"]
    assert closed.base == gap_cases > 0
    assert closed.count / gap_cases > 0.5  # "most"
    data = to_json(c, reform)
    assert set(data) >= {"closed_gaps", "opened_gaps", "gains", "losses"}
    # Side effects are listed, even when there are none.
    assert data["losses"] == {} and data["opened_gaps"] == {} and data["losing_profiles"] == 0
    assert any(flag.startswith("rent_capacity_income: ") for flag in data["reform"]["flags"])
    example = data["closed_gaps"]["housing"]["examples"][0]
    assert example["facts"]["self_reliant"] and example["causes"]
    places = data["cost"]["places"][0]
    assert places["months"] == 12 and places["place_months"] == 12 * places["people"]
    assert places["people"] >= closed.count  # everyone whose gap it closes needed the place
    by_housing = data["closed_gaps"]["housing"]["by_group"]["housing"]
    assert by_housing["own_rental"]["count"] == 0  # people with a home of their own are not its target


def test_a_tightening_reform_shows_who_loses_traced_to_the_parameter(tmp_path):
    spec = yaml.safe_load((REFORMS / "urgency-two-years-registration.yaml").read_text())
    value = spec["rulesets"]["amsterdam-urgency"]["parameters"]["min_registration_years"]["values"]
    next(iter(value.values()))["value"] = 8
    path = tmp_path / "stricter.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    reform, _, c = _compare(path, ROOT / "scenarios" / "low-income-amsterdam.yaml", size=5000)
    losses = c.sections["losses"]["amsterdam-urgency/urgentieverklaring"]
    assert losses.count > 0 and losses.examples
    assert any("min_registration_years 4 -> 8" in cause for cause in losses.examples[0].causes)
    assert c.losing >= losses.count
    assert not c.sections["gains"]["amsterdam-urgency/urgentieverklaring"].count


def test_pregnancy_reform_on_profile_files_gives_the_pregnant_persona_noodopvang():
    # Against the pessimistic reading, in which family noodopvang waits for the birth.
    reform, people, c = _compare(REFORMS / "pregnancy-counts-for-noodopvang.yaml", ROOT / "scenarios" / "personas",
                                 practice=True)
    gains = c.sections["gains"]["amsterdam-shelter/family_emergency_shelter"]
    assert [e.profile for e in gains.examples] == ["pregnant-19"]
    assert gains.by_group["profile"][people.group_meta[1][1].index("pregnant")] == 1


def test_every_bundled_reform_validates_and_changes_the_rules():
    reforms = sorted(REFORMS.glob("*.yaml"))
    assert len(reforms) == 3
    rulesets = load_rulesets(RULES)
    for path in reforms:
        reform = load_reform(path)
        assert ReformFile.model_validate(yaml.safe_load(path.read_text())) == reform.spec
        assert reform.spec.assumption and reform.spec.proposal.source.url.startswith("https://")
        day = reform.spec.valid_from
        before, after = reform_sides(RULES, compile_rules(rulesets, day),
                                     compile_rules(apply_reform(rulesets, reform), day), reform.id)
        assert rule_changes(before, after)  # each bundled reform changes something on its own date


def test_every_text_a_reform_adds_has_dutch():
    for path in sorted(REFORMS.glob("*.yaml")):
        reform = load_reform(path)
        shown = [flag.split(": ", 1)[1] for flag in reform_flags(reform)]
        shown += [reform.spec.proposal.by, " ".join(reform.spec.assumption.split())]
        for change in reform.spec.rulesets.values():
            shown += [p.title for p in change.provisions]
            shown += [" ".join(c.set.text.split()) for c in (*change.criteria, *change.exclusions) if c.set]
        missing = [text for text in shown if not reform.spec.nl.get(text)]
        assert not missing, f"{path.name}: add Dutch under nl: for {missing}"


def test_reports_state_every_base_and_speak_dutch_and_english():
    reform, _, c = _compare(REFORMS / "temporary-housing-self-reliant.yaml",
                            ROOT / "scenarios" / "divorced-working-men.yaml", size=3000)
    data = to_json(c, reform)
    english, dutch = render(data, reform, "text", Words("en")), render(data, reform, "text", Words("nl"))
    assert "of the" in english and "with a housing gap" in english and "53" not in dutch.split("%")[0][-1:]
    assert "met een gat voor huisvesting" in dutch and "Gaten die dichtgaan" in dutch
    for text in (english, dutch):
        for line in text.splitlines():
            if "%" in line:  # every percentage comes with its count and base
                assert "/" in line or " of the " in line or " van de " in line, line
    page = render(data, reform, "html", Words("nl"))
    assert page.startswith("<!doctype html>") and "lang='nl'" in page
    assert render(data, reform, "json", ENGLISH) == render(to_json(_compare(
        REFORMS / "temporary-housing-self-reliant.yaml", ROOT / "scenarios" / "divorced-working-men.yaml",
        size=3000)[2], reform), reform, "json", ENGLISH)  # same inputs, same bytes


@pytest.mark.parametrize("patch, where", [
    ({"rulesets": {"amsterdam-shelterr": {}}}, "did you mean"),
    ({"rulesets": {"amsterdam-shelter": {"criteria": [{"provision": "family_emergency_shelter",
                                                       "remove": "no_such_rule"}]}}}, "no_such_rule"),
    ({"valid_from": "2030-01-01"}, "--date"),
])
def test_bad_reforms_are_one_line_errors(tmp_path, patch, where):
    spec = yaml.safe_load((REFORMS / "urgency-two-years-registration.yaml").read_text())
    spec.update(patch)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    done = _cli("reform", str(path), "scenarios/personas", "--date", "2026-01-15")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and where in lines[0], lines


def test_a_bad_condition_names_the_line_of_the_reform(tmp_path):
    text = (REFORMS / "pregnancy-counts-for-noodopvang.yaml").read_text()
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("pregnancy_weeks >= 20", "pregnancy_wekes >= 20"))
    done = _cli("reform", str(path), "scenarios/personas")
    assert done.returncode == 2
    assert "line " in done.stderr and "pregnancy_weeks" in done.stderr and len(done.stderr.splitlines()) == 1


def test_the_cli_writes_json_with_the_four_sections(tmp_path):
    out = tmp_path / "reform.json"
    done = _cli("reform", "scenarios/reforms/pregnancy-counts-for-noodopvang.yaml", "scenarios/personas",
                "--format", "json", "--output", str(out), "--assume", "practice")
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["gains"]["amsterdam-shelter/family_emergency_shelter"]["count"] == 1
    assert data["closed_gaps"]["housing"]["base"] >= data["closed_gaps"]["housing"]["count"] == 1


def test_rule_changes_read_in_dutch_with_titles_and_the_rules_own_words():
    from regelgat.reform.words import in_words

    reform, _, c = _compare(REFORMS / "urgency-two-years-registration.yaml",
                            ROOT / "scenarios" / "low-income-amsterdam.yaml", size=3000)
    data = to_json(c, reform)
    assert data["rule_changes"][0].startswith("amsterdam-urgency/urgentieverklaring criterion minimum_registration: "
                                              "parameter min_registration_years 4 -> 2 (value from 2026-01-01")
    from regelgat.rules.translations import bound_texts

    dutch = Words("nl", bound_texts(c.after.compiled, "nl"))
    worded = in_words(data, c.before, c.after, reform, dutch)
    line = worded["rule_changes"][0]
    assert line.startswith("Urgentieverklaring (voorrang voor een sociale huurwoning), criterium „U staat tot aan "
                           "uw aanvraag minstens 2 jaar")
    assert "parameter min_registration_years 4 -> 2 (waarde vanaf 2026-01-01;" in line and "[onbevestigd: " in line
    assert "value from" not in line and "unconfirmed" not in line and "amsterdam-urgency/" not in line
    causes = [cause for entry in worded["gains"].values() for e in entry["examples"] for cause in e["causes"]]
    assert causes and all("criterion " not in cause and " pass" not in cause and "gains " not in cause
                          for cause in causes)
    text = render(worded, reform, "text", dutch)
    assert "Wat de hervorming in de regels verandert\n- Urgentieverklaring" in text
    assert data["rule_changes"] == to_json(c, reform)["rule_changes"]  # the JSON keeps the reviewer's English


def test_the_cli_reform_speaks_dutch_rule_changes_and_keeps_english_json():
    done = _cli("reform", "scenarios/reforms/temporary-housing-self-reliant.yaml", "scenarios/divorced-working-men.yaml",
                "--size", "500", "--lang", "nl")
    assert done.returncode == 0, done.stderr
    changes = done.stdout.split("Wat de hervorming in de regels verandert\n")[1].split("\n\n")[0]
    assert changes.startswith("- Tijdelijke woning voor zelfredzame werkenden die huur kunnen betalen (voorstel): "
                              "voorziening is nieuw in de regelsets (de hervorming „")
    english = _cli("reform", "scenarios/reforms/temporary-housing-self-reliant.yaml",
                   "scenarios/divorced-working-men.yaml", "--size", "500", "--lang", "nl", "--format", "json")
    assert json.loads(english.stdout)["rule_changes"] == [
        "amsterdam-shelter/temporary_housing_self_reliant: provision is new in the rulesets "
        "(reform temporary-housing-self-reliant)"]
