"""durable_rules behind one module: the three measured crashes stay avoided, and quirks stay out.

The crash reproductions run in a child process: a segfault or an endless loop there fails the
test (non-zero return code, or the timeout) instead of taking pytest down with it.
"""

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from regelgat.engines import durable as engine_durable
from regelgat.check.single import check_profile
from regelgat.rules.compiled import compile_rules
from regelgat.engines.durable import DurableEngine, _dumps, _rule
from regelgat.rules.expressions import Member, negate
from regelgat.client.profile import USUAL, Profile
from regelgat.rules.ruleset import load_rulesets
from conftest import CORE

DATE = dt.date(2025, 8, 1)


def run_child(code: str, fixture: Path = CORE) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import datetime as dt, sys
        from regelgat.rules.compiled import compile_rules
        from regelgat.engines.durable import DurableEngine
        from regelgat.client.facts import profile_facts
        from regelgat.client.profile import Profile
        from regelgat.rules.ruleset import load_rulesets
        compiled = compile_rules(load_rulesets({str(fixture)!r}), dt.date(2025, 8, 1))
    """) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def test_crash_1_delete_state_after_no_rule_fired_is_prevented_by_a_catch_all():
    # The only condition reads a fact these profiles lack, so neither its pass nor its fail rule
    # fires: without the catch-all rule, delete_state would free uninitialised memory.
    child = run_child("""
        with DurableEngine(compiled) as engine:
            for i in range(3000):
                atoms = engine.evaluate(profile_facts(Profile(id=str(i), age=30)))
        print(atoms)
    """, CORE.parent / "missing-fact")
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[None]"


def test_crash_2_no_host_threads_one_session_at_a_time():
    child = run_child("""
        with DurableEngine(compiled) as engine:
            for i in range(2000):
                engine.evaluate(profile_facts(Profile(id=str(i), age=18 + i % 60, addiction=i % 2 == 0)))
        import threading
        print(sorted(m for m in sys.modules if m.startswith("durable.") or m == "durable"), threading.active_count())
    """)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[] 1"  # only the C extension; no durable.lang, no timer threads


def test_crash_3_negative_patterns_are_guarded_and_terminate():
    node = Member("residence_status", ("asylum_seeker", "undocumented"), negated=True)
    for rule in (_rule(node), _rule(negate(node))):
        assert rule["all"][0]["m"]["$and"][0] == {"$ex": {"regelgat_pid": 1}}
    child = run_child("""
        with DurableEngine(compiled) as engine:
            for status in ["dutch", "undocumented", "asylum_seeker", "eu_citizen"] * 200:
                engine.evaluate(profile_facts(Profile(id="x", age=40, residence_status=status)))
        print("done")
    """)
    assert child.returncode == 0 and child.stdout.strip() == "done", child.stderr


def test_facts_reach_the_engine_as_plain_numbers_and_bits():
    assert _dumps({"a": 0.00001, "b": 1e16, "c": True, "d": False, "e": "x"}) == \
        '{"a":0.00001,"b":10000000000000000,"c":1,"d":0,"e":"x"}'
    with pytest.raises(ValueError):
        _dumps(float("nan"))


def test_strings_for_numbers_never_reach_the_engine():
    # durable_rules would compare '5' >= 18 as text; strict validation refuses it first.
    with pytest.raises(Exception):
        Profile.model_validate({"id": "x", "age": "5"})
    with pytest.raises(Exception):
        Profile.model_validate({"id": "x", "age": 30, "addiction": 1})


def test_durable_and_reference_agree_on_tiny_and_boundary_amounts():
    compiled = compile_rules(load_rulesets(CORE), DATE)
    with DurableEngine(compiled) as engine:
        for income in (0.00001, 1369.05, 1369.06, 1369.07, 99999.99):
            profile = Profile(**{**USUAL, "id": "x", "age": 30, "income_net_monthly": income})
            durable = check_profile(profile, compiled, engine)
            reference = check_profile(profile, compiled)
            assert durable.atoms == reference.atoms
    eligible = check_profile(Profile(**{**USUAL, "id": "x", "age": 30, "income_net_monthly": 1369.05}), compiled)
    assert eligible.result.verdicts[0].outcome == "eligible"


def test_engine_module_is_the_only_importer_of_durable():
    package = Path(engine_durable.__file__).parents[1]
    importers = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
                 if "durable_rules_engine" in p.read_text() or "import durable_rules" in p.read_text()]
    assert importers == ["engines/durable.py"]
    json.dumps(importers)
