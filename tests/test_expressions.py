"""The condition language: parsing, type checks, negation and three-valued evaluation."""

import pytest

from regelgat.rules import expressions as ex
from regelgat.client.facts import FACT_TYPES

PARAMS = {"norm_single": None, "norm_couple": None}


def parse(text):
    return ex.parse(text, FACT_TYPES, PARAMS)


def bound(text, **values):
    return ex.bind(parse(text), values)


def test_arithmetic_over_parameters_is_folded_on_the_right_side():
    node = bound("income_net_monthly < ((0.4 + 2 * 0.3) / 2) * norm_couple", norm_couple=2002.13)
    assert node == ex.Compare("income_net_monthly", "<", 1001.065)


@pytest.mark.parametrize("text, message, fix", [
    ("agee >= 18", "unknown fact 'agee'", "did you mean age?"),
    ("age >= norm_singel", "unknown parameter 'norm_singel'", "did you mean norm_single?"),
    ("housing == \"shed\"", "'shed' is not a value of housing", ""),
    ("age >= \"18\"", "age is a number but is compared with text", ""),
    ("addiction == 1", "addiction is yes/no", "use true or false"),
    ("housing < \"street\"", "only == and != apply", ""),
    ("age", "age is a number, not a yes/no fact", ""),
    ("age >= 18 age", "unexpected 'age'", "join conditions"),
    ("norm_single > age", "norm_single is a parameter", "write the fact first"),
    ("age >= income_net_monthly", "income_net_monthly is a fact; the right side", ""),
    ("__import__('os').system('true')", "expected", ""),
    ("age >= 18; rm", "unexpected character ';'", ""),
    ("", "the condition is empty", ""),
])
def test_bad_conditions_fail_at_load_with_a_fix(text, message, fix):
    with pytest.raises(ex.ExpressionError) as info:
        parse(text)
    assert message in str(info.value)
    assert fix in info.value.fix


def test_negation_is_pushed_down_to_comparisons():
    node = bound("not (age >= 21 and housing in [\"street\", \"shelter\"])")
    assert node == ex.Or((ex.Compare("age", "<", 21), ex.Member("housing", ("street", "shelter"), True)))
    assert ex.negate(node) == bound("age >= 21 and housing in [\"street\", \"shelter\"]")


def test_bare_bool_fact_means_true_and_its_negation_false():
    assert bound("addiction") == ex.Compare("addiction", "==", True)
    assert bound("not addiction") == ex.Compare("addiction", "!=", True)


def test_evaluation_is_three_valued_when_a_fact_is_missing():
    known_true = {"age": 30}
    node = bound("age >= 18 or months_since_youth_care_ended <= 6")
    assert ex.evaluate(node, known_true) is True
    assert ex.evaluate(node, {"age": 10}) is None
    assert ex.evaluate(bound("age >= 18 and months_since_youth_care_ended <= 6"), {"age": 10}) is False


def test_describe_writes_a_bound_condition_back_readably():
    assert ex.describe(bound("income_net_monthly < norm_single", norm_single=1369.06)) == \
        "income_net_monthly < 1369.06"
    assert ex.describe(bound("not addiction and housing in [\"street\"]")) == \
        'not addiction and housing in ["street"]'
