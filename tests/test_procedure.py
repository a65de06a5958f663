"""Procedure steps: dated, cited data that load, pick the version in force, and refuse bad blocks."""

import datetime as dt

import pytest

from regelgat.check.single import default_rulesets_dir
from regelgat.io.errors import InputError
from regelgat.rules.procedure import steps_at
from regelgat.rules.ruleset import load_ruleset

BIJSTAND = default_rulesets_dir() / "participatiewet-bijstand.yaml"


def _procedure(ruleset_path, provision_id):
    ruleset = load_ruleset(ruleset_path)
    return next(p for p in ruleset.spec.provisions if p.id == provision_id).procedure


def test_the_advance_share_and_back_pay_change_on_1_january_2026():
    steps = _procedure(BIJSTAND, "algemene_bijstand")
    in_2025, in_2026 = steps_at(steps, dt.date(2025, 12, 31)), steps_at(steps, dt.date(2026, 1, 1))
    assert (in_2025["advance"].share, in_2026["advance"].share) == (0.90, 0.95)
    assert in_2025["back_pay"].months == 0 and not in_2025["back_pay"].discretionary
    assert in_2026["back_pay"].months == 3 and in_2026["back_pay"].discretionary
    assert "#Artikel44" in in_2026["back_pay"].source.url and "2026-01-01" in in_2026["back_pay"].source.url
    assert "reuse_data" not in in_2025 and in_2026["reuse_data"].months == 12


def test_every_bundled_waiting_list_is_a_flagged_assumption():
    ruleset = load_ruleset(default_rulesets_dir() / "social-housing-daeb.yaml")
    (step,) = [s for p in ruleset.spec.provisions for s in p.procedure if s.step == "waiting_list"]
    assert step.years == 13 and step.assumption


_RULESET = """id: r
title: R
agency: A
jurisdiction: NL
legal_basis: [{{title: Title, url: "https://example.org/t"}}]
provisions:
  - id: p
    title: P
    covers: [income]
    criteria:
      - {{id: adult, text: Adult, condition: age >= 18, kind: statute, source: {{title: Title, url: "https://example.org/t"}}}}
    procedure:
{steps}
"""
_STEP = '      - {{id: {id}, step: {step}, text: Some text, kind: statute, source: {{title: Title, url: "https://example.org/t"}}{extra}}}'


@pytest.mark.parametrize("steps, expected", [
    ([("s", "start", ", starts: melding")], "valid_from"),
    ([("s", "advance", ", weeks: 4, valid_from: 2025-01-01")], "needs share"),
    ([("s", "back_pay", ", months: 3, valid_from: 2025-01-01")], "discretionary"),
    ([("s", "waiting_list", ", years: 2, valid_from: 2025-01-01")], "assumption"),
    ([("s", "start", ", starts: whenever, valid_from: 2025-01-01")], "'whenever' is not allowed"),
    ([("a", "start", ", starts: melding, valid_from: 2025-01-01"),
      ("b", "start", ", starts: next_month, valid_from: 2026-01-01")], "both in force on 2026-01-01"),
    ([("a", "start", ", starts: melding, valid_from: 2025-01-01"),
      ("a", "decision", ", weeks: 8, valid_from: 2025-01-01")], "used twice"),
])
def test_a_bad_procedure_is_one_line_with_its_place(tmp_path, steps, expected):
    text = "\n".join(_STEP.format(id=i, step=s, extra=e) for i, s, e in steps)
    path = tmp_path / "r.yaml"
    path.write_text(_RULESET.format(steps=text), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert message.startswith(f"{path}: line ")
