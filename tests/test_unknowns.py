"""Unknown is not a default: a fact the profile does not give leaves the verdicts that need it
undetermined, each naming the question that decides it; assumed defaults are said out loud."""

import datetime as dt
import json

from click.testing import CliRunner

from regelgat.check.single import check_json, check_with_durable
from regelgat.cli import main
from regelgat.client.facts import DERIVED_FACTS, FACT_TYPES
from regelgat.client.profile import ASSUMED, USUAL, Profile
from regelgat.client.questions import asked_fields, assumed_text, field_of, question

DATE = dt.date(2026, 2, 1)


def _check(**fields):
    return check_json(check_with_durable(Profile(id="t", age=30, **fields), DATE))


def test_every_fact_that_can_be_missing_has_a_question_in_dutch_and_english():
    for name, fact in FACT_TYPES.items():
        if not fact.optional:
            continue
        field = field_of(name)
        assert field in asked_fields(), f"{name}: no question for {field} in client/questions.yaml"
        assert question(field, "en") != question(field, "nl"), field
        assert question(field, "nl").endswith("?") and question(field, "en").endswith("?"), field
    for name in ASSUMED:
        assert assumed_text(name, "en") and assumed_text(name, "nl") != assumed_text(name, "en")


def test_judgement_facts_have_no_default_and_populations_still_give_them_a_value():
    for name in ("self_reliant", "addiction", "rental_contract", "self_contained_home", "residence_status",
                 "municipality", "income_net_monthly"):
        assert Profile.model_fields[name].default is None, name
        assert name in USUAL, name
    for name in ASSUMED:
        assert Profile.model_fields[name].default is not None, name


def test_a_renter_who_said_nothing_about_a_contract_is_undetermined_with_the_question():
    out = _check(municipality="Amsterdam", residence_status="dutch", income_net_monthly=1200.0, assets=0.0,
                 housing="own_rental", registered_address="home", self_contained_home=True, rent_monthly=700.0)
    huurtoeslag = next(v for v in out["verdicts"] if v["provision"] == "huurtoeslag")
    assert huurtoeslag["outcome"] == "undetermined" and huurtoeslag["questions"] == ["rental_contract"]
    assert huurtoeslag["amount"] is None
    asked = {q["fact"]: q for q in out["questions"]}
    assert asked["rental_contract"]["text"] == "Does the client have a rental contract for the home?"
    assert "huurtoeslag/huurtoeslag" in asked["rental_contract"]["decides"]
    counts = [len(q["decides"]) for q in out["questions"]]
    assert counts == sorted(counts, reverse=True)  # the most decisive question first
    given = _check(municipality="Amsterdam", residence_status="dutch", income_net_monthly=1200.0, assets=0.0,
                   housing="own_rental", registered_address="home", self_contained_home=True, rent_monthly=700.0,
                   rental_contract=False)
    assert next(v for v in given["verdicts"] if v["provision"] == "huurtoeslag")["outcome"] == "ineligible"


def test_a_need_with_an_undetermined_door_is_not_a_gap_but_undecided():
    out = _check(needs=["housing"], housing="street", registered_address="none")
    assert "housing" not in out["gaps"] and "housing" in out["undecided"]
    assert out["questions"], "an undecided need names the questions that decide it"


def test_a_verdict_resting_on_an_assumed_default_says_so():
    fields = dict(municipality="Amsterdam", residence_status="dutch", income_net_monthly=0.0, income_source="none",
                  assets=0.0, housing="own_rental", registered_address="home", self_reliant=True,
                  student_finance=False, parents_can_support=True, weeks_since_reporting=0, search_period_waived=False)
    out = _check(**fields)
    bijstand = next(v for v in out["verdicts"] if v["provision"] == "algemene_bijstand")
    assert bijstand["outcome"] == "eligible" and "not in detention" in bijstand["assumed"]
    told = _check(in_detention=False, **fields)
    assert "not in detention" not in next(v for v in told["verdicts"] if v["provision"] == "algemene_bijstand")["assumed"]


def test_check_lists_the_questions_first_in_dutch(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("id: r\nage: 30\nhousing: street\nneeds: [housing]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--date", "2026-01-15", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("Vragen"), lines[:3]
    assert "nog niet beslist" in result.output
    full = CliRunner().invoke(main, ["check", str(path), "--date", "2026-01-15", "--full", "--lang", "en"])
    assert "Questions that decide the undetermined verdicts" in full.output.splitlines()[1]
    assert "not decided" in full.output


def test_derived_facts_that_can_be_missing_are_asked_through_a_profile_field():
    for name, (fact, _) in DERIVED_FACTS.items():
        if fact.optional:
            assert field_of(name) in Profile.model_fields, name
