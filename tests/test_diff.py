"""regelgat diff: between two dates and two git versions, traced to the parameter or criterion that changed."""

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regelgat.cli import main
from regelgat.guard.diff import diff_population
from regelgat.rules.at_date import RulesAt as Side
from regelgat.population.fixed import load_population
from conftest import GUARD, ROOT
from regelgat.client.profile import USUAL

RULES = GUARD / "rulesets"


def population_file(path: Path, size: int = 300, seed: int = 5) -> Path:
    """A seeded stand-in population (a YAML list of profiles) around the bijstand norm."""
    rng = random.Random(seed)
    people = [{
        **USUAL,  # the facts these people give without saying: left out, they would be unknown
        "id": f"{'young' if age < 21 else 'adult'}-{i:04d}",
        "age": age,
        "income_net_monthly": round(rng.uniform(1200, 1500), 2),
        "parents_can_support": rng.random() < 0.5,
        "rental_contract": rng.random() < 0.5,
        "rent_monthly": round(rng.uniform(600, 1100), 2),
        "needs": ["income"],
    } for i, age in enumerate(rng.randint(18, 66) for _ in range(size))]
    path.write_text(yaml.safe_dump(people, sort_keys=False))
    return path


@pytest.fixture
def people(tmp_path):
    return population_file(tmp_path / "people.yaml")


def run(*args):
    return CliRunner().invoke(main, ["diff", *map(str, args)])


def test_norm_rise_gains_bijstand_traced_to_the_parameter(people):
    population = load_population(people)
    report = diff_population(population, Side.at("before", RULES, _d("2025-03-01")), Side.at("after", RULES, _d("2025-08-01")))
    gains = [f for f in report.findings if f.kind == "gains" and f.subject == "bijstand/algemene_bijstand"]
    assert len(gains) == 1
    [gain] = gains
    expected = sum(1 for p in population.profiles if 1345.45 <= p.income_net_monthly < 1369.06)
    assert gain.count == expected > 0
    assert gain.causes == ("criterion income_below_norm fail -> pass: parameter norm_single 1,345.45 -> 1,369.06 "
                           "(value from 2025-07-01; Pw 2025-07, art. 21 <https://wetten.overheid.nl/BWBR0015703/2025-07-01>)",)
    assert all(1345.45 <= e.facts["income_net_monthly"] < 1369.06 for e in gain.examples)
    assert sum(gain.groups["profile"].values()) == gain.count
    closed = [f for f in report.findings if f.kind == "gap_closed"]
    assert sum(f.count for f in closed) == expected
    assert not [f for f in report.findings if f.kind == "loses"]


def test_dropped_condition_and_new_provision_are_traced_to_their_dates(people):
    result = run("--from", "2025-08-01", "--to", "2026-02-01", people, "--rulesets", RULES, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    by = {(f["kind"], f["subject"]): f for f in data["findings"]}
    assert by[("gains", "huurtoeslag/huurtoeslag")]["causes"] == [
        "criterion max_rent (fail before): it is no longer in force after 2025-12-31"]
    youth = by[("gains", "bijstand/youth_supplement")]
    assert youth["causes"] == ["provision comes into force on 2026-01-01"]
    assert youth["change"] == "not in force -> eligible"
    assert all(e["profile"].startswith("young-") for e in youth["examples"])
    # A provision nobody in it qualifies for coming into force is not an access change.
    assert not [f for f in data["findings"] if f["kind"] == "outcome"]
    assert "huurtoeslag/huurtoeslag criterion max_rent: it is no longer in force after 2025-12-31" in data["rule_changes"]


def test_no_change_exits_0_and_says_so(people):
    result = run("--from", "2025-03-01", "--to", "2025-06-30", people, "--rulesets", RULES)
    assert result.exit_code == 0, result.output
    assert "No access outcome changes for any of 300 profiles." in result.output


def test_markdown_is_a_pull_request_comment(people):
    result = run("--from", "2026-02-01", "--to", "2025-03-01", people, "--rulesets", RULES, "--format", "markdown")
    assert result.exit_code == 1
    text = result.output
    assert text.startswith("### regelgat diff: ")
    assert "| | change | profiles | by group | because |" in text
    assert "**Warning:**" in text  # going back in time takes access away
    assert "lose `bijstand/algemene_bijstand`" in text
    assert "<details><summary>What changed in the rules</summary>" in text


def test_group_by_a_fact(people):
    result = run("--from", "2025-03-01", "--to", "2025-08-01", people, "--rulesets", RULES, "--group-by", "age")
    assert result.exit_code == 1
    assert "by group: age: " in result.output and "27-66" in result.output


@pytest.mark.parametrize("args, message", [
    (["--rulesets", RULES], "give --from DATE --to DATE, or --base GIT_REV"),
    (["--from", "2025-01-01", "--rulesets", RULES], "nothing to compare"),
    (["--head", "HEAD", "--rulesets", RULES], "--head needs --base"),
    (["--from", "2024-01-01", "--to", "2025-08-01", "--rulesets", RULES], "has no value on 2024-01-01"),
    (["--from", "2025-03-01", "--to", "2025-08-01", "--group-by", "agee", "--rulesets", RULES], "did you mean age?"),
])
def test_bad_input_exits_2(people, args, message):
    result = run(*args, people)
    assert result.exit_code == 2, result.output
    assert message in result.output


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_between_git_revisions_of_the_rulesets_folder(tmp_path, people):
    repo = tmp_path / "repo"
    shutil.copytree(RULES, repo / "rulesets")
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", "rulesets")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "rules")
    bijstand = repo / "rulesets" / "bijstand.yaml"
    bijstand.write_text(bijstand.read_text().replace("value: 1369.06", "value: 1300.00"))
    result = run("--base", "HEAD", "--date", "2025-08-01", people, "--rulesets", repo / "rulesets")
    assert result.exit_code == 1, result.output
    assert "profiles lose bijstand/algemene_bijstand" in result.output
    assert "parameter norm_single 1,369.06 -> 1,300" in result.output
    assert "before:     HEAD (" in result.output and "after:      working tree on 2025-08-01" in result.output
    assert "regelgat-diff-" not in result.output  # the base side is named by its folder, not the temporary copy
    markdown = run("--base", "HEAD", "--date", "2025-08-01", people, "--rulesets", repo / "rulesets", "--format", "markdown")
    lost = int(re.search(r"-(\d+) lose `bijstand/algemene_bijstand`", markdown.output)[1])
    assert f"> **Warning:** {lost} of 300 profiles lose access" in markdown.output
    # --head compares two committed versions; committed == working tree here, so no change
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-am", "lower norm")
    same = run("--base", "HEAD", "--head", "HEAD", "--date", "2025-08-01", people, "--rulesets", repo / "rulesets")
    assert same.exit_code == 0, same.output
    both = run("--base", "HEAD~1", "--head", "HEAD", "--date", "2025-08-01", people, "--rulesets", repo / "rulesets")
    assert both.exit_code == 1 and "parameter norm_single 1,369.06 -> 1,300" in both.output
    bad = run("--base", "no-such-branch", "--date", "2025-08-01", people, "--rulesets", repo / "rulesets")
    assert bad.exit_code == 2 and "not a git revision" in bad.output


def test_profile_folder_and_single_profile_are_populations():
    folder = load_population(GUARD / "profiles")
    assert [p.id for p in folder.profiles] == sorted(p.id for p in folder.profiles) and len(folder.profiles) == 4
    single = load_population(GUARD / "profiles" / "single-low-income.yaml")
    assert [p.id for p in single.profiles] == ["single-low-income"]
    result = run("--from", "2025-03-01", "--to", "2025-08-01", GUARD / "profiles" / "single-low-income.yaml",
                 "--rulesets", RULES)
    assert result.exit_code == 1 and "+ 1 profile gain bijstand/algemene_bijstand" in result.output


def _d(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


# ---- the bundled rules and scenario: the demonstration in the issue --------------------------------

LOW_INCOME = ROOT / "scenarios" / "low-income-adults.yaml"
BUNDLED_RULES = ROOT / "rulesets" / "participatiewet-bijstand.yaml"


def test_bundled_norm_rise_of_july_2025_is_traced_to_norm_single():
    result = run("--from", "2025-03-01", "--to", "2025-08-01", LOW_INCOME, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    gains = [f for f in data["findings"] if f["kind"] == "gains"
             and f["subject"] == "participatiewet-bijstand/algemene_bijstand"
             and any("parameter norm_single 1,345.45 -> 1,369.06 (value from 2025-07-01" in c for c in f["causes"])]
    assert gains and gains[0]["count"] > 0
    assert all(1345.45 <= e["facts"]["income_net_monthly"] < 1369.06 for e in gains[0]["examples"])
    assert not [f for f in data["findings"] if f["kind"] in ("loses", "new_gap")]


def test_bundled_participatiewet_in_balans_and_huurtoeslag_2026():
    result = run("--from", "2025-12-31", "--to", "2026-01-01", LOW_INCOME, "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    causes = [c for f in findings if f["kind"] == "gains" for c in f["causes"]]
    text = "\n".join(causes)
    # former spouses divorced two or more years ago who share a home: a couple in 2025 (any past
    # marriage), from 2026 singles with a cost-sharer (art. 3 lid 4 a, two-year window)
    lost = "\n".join(c for f in findings if f["kind"] == "loses" for c in f["causes"])
    assert "criterion income_below_cost_sharing_norm not applicable -> fail" in lost
    assert "parameter spouse_presumption_years 120 -> 2 (value from 2026-01-01" in lost
    assert "criterion search_period_under_27_or_waived (pass now): it comes into force on 2026-01-01" in text
    assert "parameter youth_supplement 0 -> 746.45" in text
    assert "criterion rent_at_most_maximum (fail before): it is no longer in force after 2025-12-31" in text


def test_the_2023_kostendelersnorm_change_is_not_encoded(people):
    """The bundled amounts start in 2025, so the 21 -> 27 change of 1 Jan 2023 cannot be diffed: bad input."""
    result = run("--from", "2022-12-01", "--to", "2023-02-01", people)
    assert result.exit_code == 2
    assert "has no value on 2022-12-01" in result.output


def test_the_numpy_prefilter_finds_every_change():
    """Only profiles the numpy engine flags are traced one by one; tracing all of them finds the same."""
    population = load_population(LOW_INCOME, size=600)
    for start, end in (("2025-03-01", "2025-08-01"), ("2025-12-31", "2026-01-01")):
        before, after = Side.at("before", ROOT / "rulesets", _d(start)), Side.at("after", ROOT / "rulesets", _d(end))
        fast = diff_population(population, before, after)
        slow = diff_population(population, before, after, prefilter=False)
        assert fast.affected > 0
        assert (fast.affected, fast.losing) == (slow.affected, slow.losing)
        assert [(f.kind, f.subject, f.causes, f.count) for f in fast.findings] == \
            [(f.kind, f.subject, f.causes, f.count) for f in slow.findings]
