"""Reported practice refuses no one by default, local rules apply only where they were made, and
an old euro amount says so: three ways a verdict could rest on something no rule confirms."""

import datetime as dt
import json

import yaml
from click.testing import CliRunner

from regelgat.check.single import check_json, check_with_durable, default_rulesets_dir, load_profile
from regelgat.cli import main
from regelgat.rules.compiled import STALE_PATTERN, compile_rules
from regelgat.rules.translations import load_texts
from conftest import ROOT

PERSONAS = ROOT / "scenarios" / "personas"
DATE = dt.date(2026, 2, 1)


def _verdicts(payload):
    return {f"{v['ruleset']}/{v['provision']}": v for v in payload["verdicts"]}


def _check(persona: str, practice: bool = False, **changes):
    profile = load_profile(PERSONAS / f"{persona}.yaml").model_copy(update=changes)
    return check_json(check_with_durable(profile, DATE, practice=practice))


def test_an_expectant_mother_is_not_refused_family_shelter_on_an_unconfirmed_rule_unless_practice_is_assumed():
    shelter = "amsterdam-shelter/family_emergency_shelter"
    default = _verdicts(_check("pregnant-19"))[shelter]
    assert default["outcome"] == "eligible"
    assert [r["criterion"] for r in default["practice_risks"]] == ["child_born_and_at_home"]
    pessimistic = _check("pregnant-19", practice=True)
    assert pessimistic["reading"] == "practice"
    assert _verdicts(pessimistic)[shelter]["outcome"] == "ineligible"
    assert _verdicts(pessimistic)[shelter]["deciding"] == ["child_born_and_at_home"]


def test_the_clinic_and_social_work_loop_only_when_their_reported_preconditions_are_applied_as_rules():
    default = _check("alcoholic-client")
    assert default["reading"] == "rules" and default["loops"] == []
    risks = {key: [r["criterion"] for r in v["practice_risks"]] for key, v in _verdicts(default).items()}
    assert risks["amsterdam-addiction-care/clinical_treatment"] == ["social_problems_solved_first"]
    assert risks["amsterdam-addiction-care/social_work_support"] == ["detox_first"]
    looped = _check("alcoholic-client", practice=True)
    assert ["amsterdam-addiction-care/clinical_treatment", "amsterdam-addiction-care/social_work_support"] \
        in looped["loops"]


def test_a_door_that_is_shut_anyway_carries_no_practice_risk():
    for verdict in _check("pregnant-19")["verdicts"]:
        if verdict["outcome"] in ("ineligible", "blocked"):
            assert verdict["practice_risks"] == [], verdict["provision"]


def test_check_says_which_reading_it_used_and_assume_practice_switches_it():
    runner = CliRunner()
    args = ["check", str(PERSONAS / "alcoholic-client.yaml"), "--date", "2026-02-01", "--format", "json"]
    default = json.loads(runner.invoke(main, args).output)
    practice = json.loads(runner.invoke(main, [*args, "--assume", "practice"]).output)
    assert (default["reading"], practice["reading"]) == ("rules", "practice")
    assert not default["loops"] and practice["loops"]
    story = runner.invoke(main, args[:4] + ["--lang", "nl"]).output
    assert "In de praktijk mogelijk geweigerd" in story and "De kliniek vraagt" in story


def test_reported_only_is_refused_on_a_rule_of_another_kind(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    text = (default_rulesets_dir() / "zorgtoeslag.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["provisions"][0]["criteria"][0]["reported_only"] = True
    (folder / "zorgtoeslag.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(PERSONAS / "mr-k.yaml"), "--rulesets", str(folder)])
    assert result.exit_code == 2, result.output
    assert "zorgtoeslag.yaml" in result.output and len(result.output.strip().splitlines()) == 1
    assert "reported_only is for kind practice" in result.output and "Traceback" not in result.output


def test_a_client_elsewhere_is_not_judged_by_amsterdams_local_rules_but_by_the_national_ones():
    amsterdam = _verdicts(_check("mr-k"))
    utrecht_payload = _check("mr-k", municipality="Utrecht")
    utrecht = _verdicts(utrecht_payload)
    assert "Amsterdam" in utrecht_payload["notices"][0] and "Utrecht" in utrecht_payload["notices"][0]
    assert _check("mr-k")["notices"] == []
    for key in ("amsterdam-shelter/mo_adult", "amsterdam-urgency/urgentieverklaring"):
        assert utrecht[key]["outcome"] == "undetermined", key
    # A national rule still refuses inside a door that has local rules: his wage is above the bijstand norm.
    bijstand = utrecht["participatiewet-bijstand/algemene_bijstand"]
    assert bijstand["outcome"] == "ineligible" and "lives_in_amsterdam" not in bijstand["deciding"]
    for key in ("zorgtoeslag/zorgtoeslag", "huurtoeslag/huurtoeslag"):
        assert utrecht[key]["outcome"] == amsterdam[key]["outcome"], key
    assert "housing" in utrecht_payload["undecided"] and "housing" not in utrecht_payload["gaps"]


def test_a_scenario_of_a_municipality_without_local_rules_is_refused_in_one_line(tmp_path):
    scenario = yaml.safe_load((ROOT / "scenarios" / "divorced-working-men.yaml").read_text(encoding="utf-8"))
    scenario["fixed"]["municipality"] = "Utrecht"
    path = tmp_path / "utrecht.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--size", "100", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Utrecht" in result.output and "Amsterdam" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def _stale(flags) -> bool:
    return any(STALE_PATTERN.match(f.split(": ", 1)[1]) for f in flags)


def test_an_old_euro_amount_is_flagged_on_every_rule_that_reads_it_in_both_languages(rulesets):
    compiled = compile_rules(rulesets, DATE)
    stale = {(r.provision, r.rule.id) for p in compiled.provisions for r in p.criteria if _stale(r.flags)}
    assert {("urgentieverklaring", "income_below_limit_single"), ("temporary_housing_pilot", "income_limit")} <= stale
    assert not any(provision == "algemene_bijstand" for provision, _ in stale)  # its norms are set for 2026
    flag = next(f for p in compiled.provisions for r in p.criteria for f in r.flags if _stale([f]))
    dutch = load_texts(rulesets, "nl").flag(flag)
    assert dutch != flag.split(": ", 1)[1] and "2026-02-01" in dutch
    later = compile_rules(rulesets, dt.date(2027, 2, 1))
    assert any(_stale(r.flags) for p in later.provisions if p.spec.id == "algemene_bijstand" for r in p.criteria)


def test_the_api_reads_practice_only_when_asked(rulesets):
    from fastapi.testclient import TestClient

    from regelgat.web.app import create_app

    profile = yaml.safe_load((PERSONAS / "alcoholic-client.yaml").read_text(encoding="utf-8"))
    with TestClient(create_app(rulesets, DATE)) as client:
        default = client.post("/api/v1/check", json={"profile": profile, "date": "2026-02-01"}).json()
        practice = client.post("/api/v1/check?assume=practice", json={"profile": profile, "date": "2026-02-01"}).json()
    assert (default["reading"], practice["reading"]) == ("rules", "practice")
    assert not default["loops"] and practice["loops"]


def test_the_map_has_the_referral_loops_only_when_practice_is_assumed():
    runner = CliRunner()
    args = ["map", "care", "--loops", "--date", "2026-01-15", "--format", "json"]
    default = json.loads(runner.invoke(main, args).output)
    practice = json.loads(runner.invoke(main, [*args, "--assume", "practice"]).output)
    assert default["complete"] and not default["loops"]
    assert practice["complete"] and practice["loops"]
