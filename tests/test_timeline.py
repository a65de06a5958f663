"""Timelines: week-by-week cover, the clauses behind each gap, norms that change with the date and age."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from regelgat.check.single import default_rulesets_dir
from regelgat.cli import main
from regelgat.rules.ruleset import load_rulesets
from regelgat.timeline.render import to_html, to_json
from regelgat.timeline.simulate import simulate
from regelgat.timeline.spec import load_timeline
from regelgat.client.profile import USUAL

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "timelines"
RULES = default_rulesets_dir()
KNOWN = {f"{r.id}/{p.id}" for r in load_rulesets(RULES) for p in r.spec.provisions}
BIJSTAND = "participatiewet-bijstand/algemene_bijstand"
ADULT = """  id: adult
  age: 45
  relationship: single
  needs: [income]
""" + "".join(f"  {name}: {json.dumps(value)}\n" for name, value in USUAL.items())  # left out: unknown


def run(path, date_rules="each-week"):
    return to_json(simulate(load_timeline(path, KNOWN), RULES, date_rules))


def write(tmp_path, text, name="t.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_late_paperwork_2025_without_repair_loses_the_weeks_until_the_new_melding():
    out = run(BUNDLED / "late-paperwork-2025.yaml")
    assert out["uncovered_weeks"]["income"] >= 4
    (lost,) = [s for s in out["stretches"] if s["need"] == "income" and s["status"] == "uncovered"]
    urls = [c["url"] for c in lost["clauses"]]
    assert any(u.endswith("#Artikel54") for u in urls) and any(u.endswith("#Artikel44") for u in urls)
    assert (lost["start"], lost["end"], lost["weeks"]) == ("2025-03-17", "2025-04-13", 4)
    assert "back_pay" not in lost and out["possible_back_pay"] == 0
    weekly = out["weeks"][2]["entitled"]
    assert weekly == pytest.approx(1345.45 * 12 / 52, abs=0.01)  # the single norm of 1 Jan 2025
    assert out["income_missed"] == pytest.approx(4 * weekly, abs=0.05)


def test_late_paperwork_2026_shows_back_pay_as_a_possibility_not_a_payment():
    out = run(BUNDLED / "late-paperwork-2026.yaml")
    (lost,) = [s for s in out["stretches"] if s["need"] == "income" and s["status"] == "uncovered"]
    assert lost["back_pay"] == {"possible": True, "discretionary": True, "text": lost["back_pay"]["text"]}
    assert "may" in lost["back_pay"]["text"]
    assert any("2026-01-01#Artikel44" in c["url"] for c in lost["clauses"])
    assert out["income_missed"] > 0 and out["possible_back_pay"] == out["income_missed"]
    assert [w["needs"]["income"]["status"] for w in out["weeks"][2:6]] == ["uncovered"] * 4


def test_turning_21_switches_the_norm_in_that_week(tmp_path):
    path = write(tmp_path, f"""id: birthday
profile:
{ADULT.replace("age: 45", "age: 20")}birth_date: 2005-06-11
start: 2026-05-25
weeks: 4
events:
  - {{date: 2026-05-25, event: receiving, provision: {BIJSTAND}}}
""")
    weeks = run(path)["weeks"]
    assert [w["norm"] for w in weeks] == ["norm_youth_single", "norm_youth_single", "norm_single", "norm_single"]
    assert weeks[2]["start"] == "2026-06-08"  # the week of 11 June
    assert weeks[2]["entitled"] > weeks[1]["entitled"]


def test_the_week_of_1_july_uses_the_new_norm_unless_rules_are_fixed_as_of_the_start(tmp_path):
    path = write(tmp_path, f"id: july\nprofile:\n{ADULT}start: 2025-06-23\nweeks: 2\n")
    each, fixed = run(path)["weeks"], run(path, "as-of")["weeks"]
    assert each[0]["entitled"] == fixed[0]["entitled"] == fixed[1]["entitled"]
    assert each[1]["entitled"] == pytest.approx(1369.06 * 12 / 52, abs=0.01)  # norm of 1 Jul 2025


def test_the_search_period_leaves_an_under_27_without_income_for_four_weeks():
    out = run(BUNDLED / "under-27-search-period.yaml")
    statuses = [w["needs"]["income"]["status"] for w in out["weeks"]]
    assert statuses[:8] == ["uncovered"] * 4 + ["waiting"] * 4 and statuses[8] == "covered"
    first = out["stretches"][0]
    assert "#Artikel41" in first["clauses"][0]["url"]


def test_kinderbijslag_and_kgb_start_after_the_birth():
    out = run(BUNDLED / "pregnant-19-birth.yaml")
    by_start = {w["start"]: w["provisions"] for w in out["weeks"]}
    kb, kgb = "kinderregelingen/kinderbijslag", "kinderregelingen/kindgebonden_budget"
    assert by_start["2026-06-01"][kb] == by_start["2026-06-01"][kgb] == "uncovered"  # born 5 June
    assert by_start["2026-06-29"][kgb] == "covered"  # from 1 July
    assert by_start["2026-06-29"][kb] == by_start["2026-09-21"][kb] == "waiting"  # Q3, paid after it ends
    assert by_start["2026-09-28"][kb] == "covered"


def test_threatening_eviction_brings_the_first_conversation_within_3_working_days(tmp_path):
    threatening = run(BUNDLED / "rent-arrears-eviction.yaml")
    text = (BUNDLED / "rent-arrears-eviction.yaml").read_text(encoding="utf-8")
    early = write(tmp_path, text.replace("2026-03-09, event: reported", "2026-01-12, event: reported"))
    assert sum(w["needs"]["debt_help"]["status"] == "waiting" for w in threatening["weeks"]) == 0
    assert sum(w["needs"]["debt_help"]["status"] == "waiting" for w in run(early)["weeks"]) == 4


def test_the_wsnp_ends_after_18_months():
    out = run(BUNDLED / "mr-k-wsnp-ending.yaml")
    ended = [s for s in out["stretches"] if s["need"] == "debt_help" and "ended on 2026-03-01" in s["cause"]]
    assert ended and out["weeks"][0]["needs"]["debt_help"] == {"status": "covered", "by": ["wsnp/wsnp_toelating"]}


@pytest.mark.parametrize("name", sorted(p.name for p in BUNDLED.glob("*.yaml")))
def test_bundled_timelines_run_deterministically_as_json(name):
    first = CliRunner().invoke(main, ["timeline", str(BUNDLED / name), "--format", "json"])
    second = CliRunner().invoke(main, ["timeline", str(BUNDLED / name), "--format", "json"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    out = json.loads(first.output)
    assert {"weeks", "uncovered_weeks", "income_missed", "stretches"} <= set(out)
    assert all(s["clauses"] for s in out["stretches"] if s["status"] == "uncovered")


def test_html_is_one_page_without_external_resources():
    page = to_html(simulate(load_timeline(BUNDLED / "late-paperwork-2025.yaml", KNOWN), RULES))
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<link" not in page and "<img" not in page
    assert 'class="w uncovered"' in page


@pytest.mark.parametrize("event, expected", [
    ("{date: 2025-03-10, event: fired, provision: %s}" % BIJSTAND, "'fired' is not allowed"),
    ("{date: 2025-03-01, event: reported, provision: %s}" % BIJSTAND, "before start 2025-03-03"),
    ("{date: 2025-03-10, event: reported, provision: participatiewet-bijstand/algemene_bystand}", "does not exist"),
    ("{date: 2025-03-10, event: change, set: {income_net_montly: 10}}", "unknown fact 'income_net_montly'"),
    ("{date: 2025-03-10, event: change, set: {age: -3}}", "bad value for age"),
    ("{date: 2025-03-10, event: reported}", "needs the provision"),
])
def test_a_bad_timeline_is_one_line_and_exit_2(tmp_path, event, expected):
    path = write(tmp_path, f"id: bad\nprofile:\n{ADULT}start: 2025-03-03\nweeks: 4\nevents:\n  - {event}\n")
    result = CliRunner().invoke(main, ["timeline", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    line = 2 + ADULT.count("\n") + 4  # the event's own line
    assert len(lines) == 1 and expected in lines[0] and f"{path}: line {line}" in lines[0], result.output


def _timeline(*args, env=None):
    result = CliRunner().invoke(main, ["timeline", str(BUNDLED / "late-paperwork-2026.yaml"), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_timeline_reads_in_dutch_with_the_rules_own_dutch():
    text = _timeline("--lang", "nl")
    assert "behoefte: inkomen" in text and "onbedekte weken: inkomen 4" in text
    assert "ingetrokken vanaf de eerste dag van de opschorting (2026-03-16), niet op tijd hersteld" in text
    assert "De gemeente kan bijstand toekennen vanaf ten hoogste 3 maanden voor de melding" in text  # rulesets/nl
    assert "bijstand (Participatiewet) voorgoed gemist: € 1.293,68" in text
    assert "withdrawn" not in text and "weeks" not in text and "may be paid back" not in text


def test_the_timeline_reads_in_english_with_bijstand_kept_and_explained():
    text = _timeline("--lang", "en")
    assert "need: income" in text and "withdrawn from the first day of the suspension (2026-03-16)" in text
    assert "bijstand (social assistance, Participatiewet) missed for good: EUR 1,293.68" in text
    assert "The municipality may grant bijstand from up to 3 months before the melding" in text
    assert "ingetrokken" not in text


def test_json_keeps_keys_and_codes_and_puts_what_a_person_reads_into_the_language():
    nl, en = json.loads(_timeline("--lang", "nl", "--format", "json")), json.loads(_timeline("--lang", "en", "--format", "json"))
    assert (nl["lang"], en["lang"]) == ("nl", "en")
    assert nl["weeks"] == en["weeks"] and nl["uncovered_weeks"] == en["uncovered_weeks"]
    assert [(s["need"], s["status"], s["start"], s["clauses"]) for s in nl["stretches"]] == \
        [(s["need"], s["status"], s["start"], s["clauses"]) for s in en["stretches"]]
    lost_nl, lost_en = nl["stretches"][0], en["stretches"][0]
    assert lost_nl["cause"].startswith("participatiewet-bijstand/algemene_bijstand: ingetrokken")
    assert lost_en["cause"].startswith("participatiewet-bijstand/algemene_bijstand: withdrawn")
    assert lost_nl["back_pay"]["text"].startswith("kan worden terugbetaald (back_pay_may_3_months): De gemeente")
    assert lost_nl["flags"] == ["repair_period: De wet legt geen lengte vast (art. 54 lid 2); 2 weken is de "
                                "praktijk van één gemeente."]


def test_html_in_dutch_and_the_language_from_the_locale():
    page = _timeline("--lang", "nl", "--format", "html")
    assert '<html lang="nl">' in page and "Perioden zonder dekking" in page and "Tijdlijn late-paperwork-2026" in page
    dutch = _timeline(env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "nl_NL.UTF-8"})
    english = _timeline(env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_GB.UTF-8"})
    assert dutch.startswith("tijdlijn late-paperwork-2026: 26 weken") and english.startswith("timeline late-paperwork-2026: 26 weeks")


def test_dated_starts_and_debt_help_speak_dutch():
    from regelgat.rules.translations import load_texts
    from regelgat.timeline.phrases import Wording
    from regelgat.timeline.render import to_text

    dutch = Wording("nl", load_texts(load_rulesets(RULES), "nl"))
    birth = simulate(load_timeline(BUNDLED / "pregnant-19-birth.yaml", KNOWN), RULES)
    week = next(w for w in birth.weeks if w.start == dt.date(2026, 6, 1))
    assert dutch(week.provisions["kinderregelingen/kinderbijslag"].cause) == (
        "begint 2026-07-01: Kinderbijslag begint in het kwartaal na het kwartaal van de geboorte, tenzij het kind "
        "op de eerste dag van een kwartaal is geboren.")
    wsnp = to_text(simulate(load_timeline(BUNDLED / "mr-k-wsnp-ending.yaml", KNOWN), RULES), dutch)
    assert "geëindigd op 2026-03-01: De Wsnp duurt in beginsel 18 maanden" in wsnp
