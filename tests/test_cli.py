"""The command line as a user meets it: the JSON contract, and one-line errors with exit code 2."""

import json

import pytest
from click.testing import CliRunner

from regelgat.cli import main
from conftest import CORE, USUAL_LINES



def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def without(*given: str) -> str:
    """The usual answers as profile lines, except the facts a test gives itself (left out: unknown)."""
    return "".join(line for line in USUAL_LINES.splitlines(keepends=True) if line.split(":")[0] not in given)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_json_follows_the_public_contract(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: k\nage: 45\nincome_net_monthly: 1350\naddiction: true\n"
                                        "needs: [income, care, housing]\n" + without("addiction", "income_net_monthly"))
    result = invoke("check", profile, "--rulesets", CORE, "--date", "2025-03-01", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) >= {"profile", "date", "verdicts", "gaps", "loops"}
    assert out["profile"] == "k" and out["date"] == "2025-03-01"
    bijstand = next(v for v in out["verdicts"] if v["provision"] == "bijstand")
    assert bijstand["outcome"] == "ineligible" and bijstand["covers"] == ["income"]
    means = next(r for r in bijstand["reasons"] if r["criterion"] == "means")
    assert means["passed"] is False and "art. 21" in means["source"]
    assert means["to_pass"] == "income_net_monthly < 1345.45"
    assert {v["provision"]: v["outcome"] for v in out["verdicts"]}["clinic"] == "blocked"
    assert out["gaps"] == ["housing", "income", "care"]
    assert out["loops"] == [["mini/clinic", "mini/social"]]


def test_check_text_names_the_deciding_clause_and_the_loop(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: k\nage: 45\nincome_net_monthly: 1350\naddiction: true\nneeds: [care]\n"
                    + without("addiction", "income_net_monthly"))
    result = invoke("check", profile, "--rulesets", CORE, "--date", "2025-03-01", "--full", "--lang", "en")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())
    assert "Income below the single norm" in text
    assert "Opens if the client lost income, down to 1,345.44 euros a month net." in text  # a sentence, no syntax
    assert "Referral loops: Clinic → Social work → Clinic" in text


def test_check_shows_the_flag_of_an_unconfirmed_amount(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: k\nage: 45\nincome_net_monthly: 1350\n" + without("income_net_monthly"))
    result = invoke("check", profile, "--rulesets", CORE, "--date", "2025-08-01", "--full")
    assert "[!]" in result.output and "A test flag" in result.output


@pytest.mark.parametrize("content, expected", [
    ("id: a\nagee: 45\n", "line 2: agee: unknown field 'agee' (did you mean age?)"),
    ("id: a\nage: 145\n", "line 2: age: Input should be less than or equal to 120"),
    ("id: a\nage: '45'\n", "age: Input should be a valid integer"),
    ("id: a\nage: 45\nhousing: shed\n", "'shed' is not allowed"),
    ("id: a\nage: 45\n  needs: [x\n", "not valid YAML"),
    ("id: a\nage: 45\nage: 46\n", "key 'age' is given twice"),
    ("- 1\n- 2\n", "expected a mapping"),
])
def test_a_bad_profile_is_one_line_and_exit_2(tmp_path, content, expected):
    profile = write(tmp_path, "bad.yaml", content)
    result = invoke("check", profile, "--rulesets", CORE)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert str(profile) in result.output and expected in result.output


def test_a_bad_ruleset_names_file_place_and_fix(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (CORE / "mini.yaml").read_text().replace("condition: age >= 18\n", "condition: agee >= 18\n", 1)
    write(rules, "mini.yaml", text)
    profile = write(tmp_path, "p.yaml", "id: a\nage: 45\n")
    result = invoke("check", profile, "--rulesets", rules)
    assert result.exit_code == 2
    assert "mini.yaml: line 26: provisions[0] (bijstand).criteria[0] (adult).condition: unknown fact 'agee'" \
        in result.output
    assert "did you mean age?" in result.output
    lint = invoke("lint", rules)
    assert lint.exit_code == 1 and "unknown fact 'agee'" in lint.output


def test_a_date_without_parameter_values_is_bad_input(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 45\n")
    result = invoke("check", profile, "--rulesets", CORE, "--date", "2024-06-01")
    assert result.exit_code == 2
    assert "parameter norm_single: has no value on 2024-06-01" in result.output


def test_a_bad_date_is_one_line(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 45\n")
    result = invoke("check", profile, "--rulesets", CORE, "--date", "2025-13-01")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "--date" in result.output


def test_schema_lists_the_profile_fields():
    result = invoke("schema")
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert {"age", "relationship", "needs", "co_residents"} <= set(schema["properties"])


def test_rules_markdown_is_generated_from_the_files(tmp_path):
    target = tmp_path / "rules.md"
    result = invoke("rules", "--rulesets", CORE, "--markdown", target)
    assert result.exit_code == 0
    text = target.read_text()
    assert "Income below the single norm" in text and "**(unconfirmed)**" in text
    assert "1 flagged assumptions" in text


def test_an_impossible_date_in_a_file_names_its_line(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 45\nincome_net_monthly: 2025-13-01\n")
    result = invoke("check", profile, "--rulesets", CORE)
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "line 3, column 21: impossible date '2025-13-01'" in result.output
