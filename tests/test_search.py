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
