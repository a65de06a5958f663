"""regelgat cliff: disposable income and the marginal effective rate as earnings rise.

The numpy engine decides every step; durable_rules re-decides a few, and the household summary
of `check` must give the same disposable income at any step.
"""

import datetime as dt
import json

import yaml

import pytest
from click.testing import CliRunner

from conftest import ROOT
from regelgat.check.cliff import cliff, earnings_steps, profile_at, to_json
from regelgat.check.household import household
from regelgat.check.single import check_profile
from regelgat.cli import main
from regelgat.client.profile import USUAL, Profile
from regelgat.engines.durable import DurableEngine
from regelgat.io.errors import InputError
from regelgat.io.limits import MAX_CLIFF_POINTS
from regelgat.rules.compiled import compile_rules
from regelgat.rules.translations import load_texts
from regelgat.web.cliff import svg

BIJSTAND = "participatiewet-bijstand/algemene_bijstand"
# Every judgement fact given its usual answer: a fact left out is unknown, and would leave verdicts undetermined.
RENTER = Profile(**{**USUAL, "id": "renter-30", "age": 30, "rent_monthly": 700, "rental_contract": True,
                    "self_contained_home": True, "needs": ["income"]})
DATE = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def compiled(rulesets):
    return compile_rules(rulesets, DATE)


@pytest.fixture(scope="module")
def renter(compiled):
    with DurableEngine(compiled) as engine:
        return cliff(RENTER, compiled, 0, 3000, 25, engine)


def test_a_single_renter_of_30_keeps_almost_nothing_of_earnings_in_the_bijstand_range(renter):
    norm = 1401.50  # Participatiewet art. 21 a, 1 Jan 2026
    in_bijstand = [p for p in renter.points[1:] if p.earnings <= norm]
    assert len(in_bijstand) == 56  # 25, 50, ..., 1,400
    assert all(p.marginal_rate >= 0.9 for p in in_bijstand)
    assert all(BIJSTAND in p.paid for p in in_bijstand)
    assert (0, 1400, 1.0) in renter.traps()
    ends = renter.endings()
    assert [(e.provision, e.earnings) for e in ends] == [(BIJSTAND, 1425)]
    assert ends[0].criterion == "income_below_norm_single" and "Participatiewet art. 19" in ends[0].source
    after = [p for p in renter.points if p.earnings > norm]
    assert after and all(p.marginal_rate < 0.5 for p in after)  # the toeslagen taper, no cliff


def test_every_step_equals_the_check_of_that_profile(compiled, renter):
    """The household summary of `check` (plain Python) gives the same disposable income at every step."""
    for point in renter.points[::7]:
        checked = check_profile(profile_at(RENTER, point.earnings, None), compiled)
        assert household(checked).income_after == point.disposable, point.earnings
    assert renter.cross_checked[0] == 0 and 1400 in renter.cross_checked and 1425 in renter.cross_checked


def test_yearly_income_keeps_the_profiles_gross_to_net_ratio():
    profile = RENTER.model_copy(update={"income_net_monthly": 1000, "income_gross_yearly": 15000})
    assert profile_at(profile, 2000, 15.0).income_gross_yearly == 30000
    assert profile_at(RENTER, 2000, None).income_gross_yearly is None  # 12 x net, as every check
    assert profile_at(RENTER, 2000, None).income_source == "employment"


@pytest.mark.parametrize("start, stop, step, setting", [
    (0, 3000, 0, "step"), (0, 3000, -5, "step"), (100, 50, 25, "to"), (-10, 100, 5, "from"),
    (0, 2_000_000, 1000, "to"), (0, 3000, 0.1, "step"), (0, float("nan"), 1, "to"),
])
def test_a_bad_range_names_its_setting(start, stop, step, setting):
    with pytest.raises(InputError) as caught:
        earnings_steps(start, stop, step)
    assert caught.value.setting == setting


def test_the_step_limit_lives_in_limits():
    assert len(earnings_steps(0, (MAX_CLIFF_POINTS - 1) * 0.25, 0.25)) == MAX_CLIFF_POINTS
    with pytest.raises(InputError, match="over the limit"):
        earnings_steps(0, MAX_CLIFF_POINTS * 0.25, 0.25)


@pytest.mark.parametrize("args, flag", [
    (["--step", "0"], "--step"), (["--from", "500", "--to", "100"], "--to"), (["--step", "0.01", "--to", "900000"], "--step"),
    (["--output", "chart.pdf"], "--output"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, flag):
    result = CliRunner().invoke(main, ["cliff", str(ROOT / "scenarios/personas/mr-k.yaml"), *args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and flag in lines[0]


def test_json_contract_and_chart_files(tmp_path):
    profile = tmp_path / "renter.yaml"
    profile.write_text(yaml.safe_dump(RENTER.model_dump(mode="json", exclude_none=True)))
    chart = tmp_path / "cliff.svg"
    args = ["cliff", str(profile), "--date", "2026-01-15", "--to", "2000", "--step", "50", "--format", "json",
            "--output", str(chart)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) >= {"profile", "date", "points", "armoedeval", "drops"}
    assert all(set(p) >= {"earnings", "disposable", "marginal_rate", "ends"} for p in out["points"])
    assert out["points"][0]["marginal_rate"] is None and out["points"][1]["marginal_rate"] == 1.0
    ending = next(p for p in out["points"] if p["ends"])
    assert ending == {**ending, "earnings": 1450, "ends": [BIJSTAND]}
    assert out["drops"][0]["url"].startswith("https://wetten.overheid.nl/")
    first = chart.read_bytes()
    assert b"Algemene bijstand ends: Participatiewet art. 19" in first and b'fill="#f4b6b6"' in first
    assert CliRunner().invoke(main, args).output == result.output and chart.read_bytes() == first  # deterministic


def test_text_and_chart_in_dutch(rulesets, renter):
    result = CliRunner().invoke(main, ["cliff", str(ROOT / "scenarios/personas/mr-k.yaml"), "--date", "2026-01-15",
                                       "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert "Besteedbaar inkomen van het huishouden" in result.output and "Zorgtoeslag stopt:" in result.output
    assert "Algemene bijstand stopt: Participatiewet" in svg(renter, load_texts(rulesets, "nl"), "nl")


def test_a_png_chart_with_matplotlib_and_one_line_without(tmp_path, monkeypatch):
    args = ["cliff", str(ROOT / "scenarios/personas/mr-k.yaml"), "--date", "2026-01-15", "--format", "json",
            "--output", str(tmp_path / "k.png")]
    pytest.importorskip("matplotlib", reason="the png extra is not installed")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)  # as if it were not installed
    result = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "other.png")])
    assert result.exit_code == 2 and "pip install 'regelgat[png]'" in result.output
    assert not (tmp_path / "other.png").exists()


def test_in_the_first_months_of_work_the_disregard_lowers_the_rate_and_extends_bijstand(compiled):
    """Pw art. 31 lid 2 n: 25% of earnings (at most 285) is not counted, for the right to bijstand too."""
    worker = RENTER.model_copy(update={"months_in_work": 2})
    result = cliff(worker, compiled, 0, 2000, 25)
    rates = {p.earnings: p.marginal_rate for p in result.points}
    assert rates[1000] == 0.75  # a quarter of each euro is kept below the cap (285 / 25% = 1,140)
    assert rates[1300] == 1.0  # above the cap bijstand falls euro for euro again
    assert [(e.provision, e.earnings) for e in result.endings()] == [(BIJSTAND, 1700)]  # 1,686.50 = 1,401.50 + 285
