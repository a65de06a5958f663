"""Gap search finds the simplest profile that falls through, and the same one every time."""

import datetime as dt

from regelgat.check.single import check_profile
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets
from regelgat.check.search import simplest_gap_profile
from conftest import CORE



def test_the_simplest_loop_is_an_adult_with_an_addiction_and_nothing_else():
    compiled = compile_rules(load_rulesets(CORE), dt.date(2025, 8, 1))
    found = simplest_gap_profile(compiled, ["care"], where="age >= 40", loop=True, max_examples=500)
    assert found is not None
    assert found.age == 40 and found.addiction and not found.detox_completed
    result = check_profile(found, compiled).result
    assert result.gaps == ("care",) and result.loops == (("mini/clinic", "mini/social"),)
    assert simplest_gap_profile(compiled, ["care"], where="age >= 40", loop=True, max_examples=500) == found


def test_without_an_addiction_there_is_no_loop_to_find():
    compiled = compile_rules(load_rulesets(CORE), dt.date(2025, 8, 1))
    assert simplest_gap_profile(compiled, ["care"], where="age >= 40 and not addiction", loop=True,
                                max_examples=300) is None


def test_starting_from_the_maps_witnesses_finds_the_same_simplest_loop(tmp_path):
    import json

    from click.testing import CliRunner

    from regelgat.check.search import simplest_from_witnesses
    from regelgat.cli import main

    mapped = CliRunner().invoke(main, ["map", "care", "--rulesets", str(CORE), "--date", "2025-08-01", "--loops",
                                       "--where", "age >= 40", "--format", "json"])
    assert mapped.exit_code == 0, mapped.output
    (tmp_path / "care.json").write_text(mapped.output, encoding="utf-8")
    compiled = compile_rules(load_rulesets(CORE), dt.date(2025, 8, 1))
    witnesses = [r["witness"] for r in json.loads(mapped.output)["loops"]]
    found = simplest_from_witnesses(compiled, ["care"], witnesses, where="age >= 40", loop=True)
    assert found == simplest_gap_profile(compiled, ["care"], where="age >= 40", loop=True, max_examples=500)
    result = CliRunner().invoke(main, ["search", "care", "--loop", "--where", "age >= 40", "--rulesets", str(CORE),
                                       "--date", "2025-08-01", "--from-map", str(tmp_path / "care.json")])
    assert result.exit_code == 0, result.output
    assert "addiction: true" in result.output and "age: 40" in result.output


def test_a_witness_outside_the_search_gives_no_start():
    from regelgat.check.search import simplest_from_witnesses

    compiled = compile_rules(load_rulesets(CORE), dt.date(2025, 8, 1))
    witness = {"id": "w", "age": 18, "needs": ["care"], "addiction": True}
    assert simplest_from_witnesses(compiled, ["care"], [witness], where="age >= 40", loop=True) is None


def test_a_bad_map_file_for_search_is_one_line_and_exit_2(tmp_path):
    from click.testing import CliRunner

    from regelgat.cli import main

    (tmp_path / "bad.json").write_text('{"regions": [{"witness": {"age": "old"}}]}', encoding="utf-8")
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        result = CliRunner().invoke(main, ["search", "care", "--rulesets", str(CORE), "--from-map", str(path)])
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output


def _search(*args):
    from click.testing import CliRunner

    from regelgat.cli import main

    return CliRunner().invoke(main, ["search", *args, "--date", "2026-01-15"])


def test_search_names_the_gap_and_the_loop_by_title_and_shows_progress():
    import yaml

    from regelgat.check.single import default_rulesets_dir
    from regelgat.client.profile import Profile

    # The clinic and social work loop when their reported preconditions are applied as rules.
    result = _search("care", "--loop", "--where", "age >= 40", "--lang", "en", "--assume", "practice")
    assert result.exit_code == 0, result.output
    comments = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert comments[0] == "# The simplest profile found for whom nothing covers care."
    assert any("Clinical addiction treatment (admission to a clinic): waits for Social work" in c for c in comments)
    loop = next(c for c in comments if c.startswith("# Referral loop"))
    assert "Clinical addiction treatment (admission to a clinic) -> Social work" in loop
    assert not any("/" in c.split(": ", 1)[0] for c in comments)  # titles, not ruleset/provision ids
    assert "candidates decided by the numpy engine" in result.stderr and "confirmed" in result.stderr
    profile = Profile(**yaml.safe_load(result.stdout))  # the comments keep it a profile for `regelgat check`
    assert profile.age == 40 and profile.addiction
    compiled = compile_rules(load_rulesets(default_rulesets_dir()), dt.date(2026, 1, 15), practice=True)
    checked = check_profile(profile, compiled).result
    assert "care" in checked.gaps and checked.loops
    dutch = _search("care", "--loop", "--where", "age >= 40", "--lang", "nl", "--assume", "practice")
    assert dutch.stdout.startswith("# Het eenvoudigste gevonden profiel") and "Verwijzingscirkel" in dutch.stdout
    assert "kandidaten" in dutch.stderr


def test_the_numpy_screen_finds_the_simplest_profile_and_durable_rules_agrees():
    from regelgat.check.screen import simplicity, usual
    from regelgat.check.single import default_rulesets_dir

    compiled = compile_rules(load_rulesets(default_rulesets_dir()), dt.date(2026, 1, 15))
    steps = []
    found = simplest_gap_profile(compiled, ["housing"], where='income_source == "employment" and age >= 45',
                                 progress=lambda message, **figures: steps.append(message))
    assert found.age == 45 and simplicity(found)[0] == 1 and found.income_source == "employment"
    assert "housing" in check_profile(found, compiled).result.gaps
    assert steps[-1] == "confirmed one by one by durable_rules"  # no hypothesis fallback was needed
    assert found.housing == usual("housing")  # even someone in their own rental home: no door for housing
