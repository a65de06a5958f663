"""The fuzzer: mutated profiles, rulesets, scenarios, case files, snapshots and timelines through every
command that reads them, in-process. Whatever the input, a command answers with exit code 0, 1 or 2
and never a traceback.

Mutations: of the parsed tree (a value of another type, a key removed, added or misspelled, a list
item repeated, a text replaced by condition tokens) and of the text (truncated, a piece of another
file spliced in, a line dropped or repeated, a character swapped for YAML punctuation). Sizes are
bounded (texts, lists, numbers of mutations), so each input takes bounded time without a timed
assertion; hypothesis has no deadline, since the machine's load is no property of regelgat.

The default run takes a quick, derandomised sample; `pytest tests/test_fuzz.py --fuzz-long` takes
FUZZ_LONG inputs and writes a short report to .fuzz-report.json (gitignored). Every crash the
fuzzer ever found is kept below as an explicit example.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regelgat.cli import main
from conftest import CORE, GUARD, ROOT

QUICK, FUZZ_LONG = 12, 5000
MAX_TEXT = 20_000  # characters of one mutated file: keeps each input's time bounded

PROFILE = (GUARD / "profiles" / "single-low-income.yaml").read_text(encoding="utf-8")
SEEDS = {
    "profile": [PROFILE, (ROOT / "scenarios" / "personas" / "mr-k.yaml").read_text(encoding="utf-8")],
    "ruleset": [(CORE / "mini.yaml").read_text(encoding="utf-8")],
    "scenario": [(GUARD / "low-income.yaml").read_text(encoding="utf-8")],
    "cases": [p.read_text(encoding="utf-8") for p in sorted((GUARD / "case_files").glob("*.yaml"))],
    "timeline": [(ROOT / "scenarios" / "timelines" / "late-paperwork-2026.yaml").read_text(encoding="utf-8")],
    "snapshot": [],  # recorded once per session (below)
}
TOKENS = ["age", "income_net_monthly", "assets", "needs", "housing", "in_detention", "norm_single", ">=", "<",
          "==", "!=", "and", "or", "not", "in", "(", ")", "[", "]", ",", "+", "-", "*", "/", "0", "1", "18",
          "1e308", "-1", ".5", '"street"', "'x'", "true", "false", "null", "{", "}", "%", "**", "__import__",
          "age.__class__", "lambda", ";"]
PUNCTUATION = list(":-[]{}\"'\n\t #&*!|>%@`,?") + ["\u00e9", "\x00", "\ufeff"]

# Every input that ever crashed a command, kept as an example: tests/fixtures/fuzz/NNN-<kind>-<command>.txt
# holds the input as the fuzzer made it ({FUZZ_ROOT} stands for the scratch folder it ran in).
FOUND = ROOT / "tests" / "fixtures" / "fuzz"
CRASHES: list[tuple[str, int, str]] = [
    (p.stem.split("-")[1], int(p.stem.split("-")[2]), p.read_text(encoding="utf-8"))
    for p in sorted(FOUND.glob("*.txt"))]


# ---- the seeds and the commands ----------------------------------------------------------------

@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A scratch copy of the guard fixtures, with a small snapshot recorded against them."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(GUARD, root / "guard")
    recorded = CliRunner().invoke(main, ["snapshot", str(root / "guard" / "low-income.yaml"), "--rulesets",
                                         str(root / "guard" / "rulesets"), "--size", "12", "--file",
                                         str(root / "snap.json")])
    assert recorded.exit_code == 0, recorded.output
    SEEDS["snapshot"] = [(root / "snap.json").read_text(encoding="utf-8")]
    (root / "timeline-rules").mkdir()  # the one ruleset the timeline seed reads: quicker than all twelve
    shutil.copy(ROOT / "rulesets" / "participatiewet-bijstand.yaml", root / "timeline-rules")
    return root


def commands(kind: str, path: Path, root: Path) -> list[list[str]]:
    """The commands that read a file of this kind, with small sizes so that each stays quick."""
    rules = str(root / "guard" / "rulesets")
    file = str(path)
    return {
        "profile": [["check", file, "--rulesets", rules, "--date", "2025-08-01"],
                    ["check", file, "--rulesets", str(CORE), "--date", "2025-03-01", "--format", "json", "--full"]],
        "ruleset": [["lint", str(path.parent)], ["rules", "--rulesets", str(path.parent)],
                    ["check", str(GUARD / "profiles" / "single-low-income.yaml"), "--rulesets", str(path.parent),
                     "--date", "2025-03-01"]],
        "scenario": [["run", file, "--size", "40", "--check-sample", "0", "--workers", "1", "--rulesets", rules,
                      "--out", str(path.parent / "out"), "--restart"],
                     ["diff", file, "--from", "2025-03-01", "--to", "2025-08-01", "--size", "15", "--rulesets", rules],
                     ["snapshot", file, "--size", "10", "--rulesets", rules, "--file", str(path.parent / "s.json"),
                      "--update"]],
        "cases": [["test", file, "--rulesets", rules]],
        "snapshot": [["snapshot", "--check", "--file", file, "--rulesets", rules]],
        "timeline": [["timeline", file, "--format", "json", "--rulesets", str(root / "timeline-rules")],
                     ["timeline", file, "--date-rules", "as-of", "--rulesets", str(root / "timeline-rules")]],
    }[kind]


# ---- mutations ---------------------------------------------------------------------------------

def _paths(node, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:20]):
            out += _paths(value, (*prefix, index))
    return out


def _get(node, path):
    for key in path:
        node = node[key]
    return node


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.sampled_from([2**64, -2**70, 10**30]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                    st.sampled_from(["yes", "no", "2025-13-45", "", "a" * 400, "-", "~", "2025-03-01"]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4), st.dictionaries(st.text(max_size=8), SCALARS, max_size=3))


@st.composite
def tree_mutation(draw, data):
    """One change to the parsed file: a value, a key, a list item or a condition."""
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    what = draw(st.sampled_from(["value", "delete", "add", "rename", "repeat", "tokens", "wrap"]))
    if not path:
        return draw(VALUES) if what == "value" else data
    parent, key = _get(data, path[:-1]), path[-1]
    if what == "value":
        parent[key] = draw(VALUES)
    elif what == "delete":
        del parent[key]
    elif what == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from([*map(str, parent), "x", "id", "when", "float", "otherwise"])) + "_"] = draw(VALUES)
    elif what == "rename" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(key)
    elif what == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif what == "tokens":
        parent[key] = " ".join(draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12)))
    elif what == "wrap":
        parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}, str(parent[key])]))
    return data


@st.composite
def text_mutation(draw, text):
    """One change to the text: truncated, spliced, a line dropped or repeated, punctuation swapped in."""
    what = draw(st.sampled_from(["truncate", "splice", "drop", "repeat", "char"]))
    at = draw(st.integers(0, len(text)))
    if what == "truncate":
        return text[:at]
    if what == "splice":
        donor = draw(st.sampled_from([t for seeds in SEEDS.values() for t in seeds]))
        start = draw(st.integers(0, len(donor)))
        return text[:at] + donor[start:start + draw(st.integers(0, 400))] + text[at:]
    lines = text.splitlines(keepends=True) or [""]
    line = draw(st.integers(0, len(lines) - 1))
    if what == "drop":
        return "".join(lines[:line] + lines[line + 1:])
    if what == "repeat":
        return "".join(lines[:line + 1] + lines[line:])
    return text[:at] + draw(st.sampled_from(PUNCTUATION)) + text[at + 1:]


@st.composite
def mutated(draw):
    """(kind, command, text): a valid file of some kind, changed one to three times, and which of the
    commands that read it runs (one per input: the inputs, not the commands, are what vary)."""
    kind = draw(st.sampled_from(sorted(SEEDS)))
    command = draw(st.integers(0, 2))
    text = draw(st.sampled_from(SEEDS[kind]))
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            try:
                data = json.loads(text) if kind == "snapshot" else yaml.safe_load(text)
            except Exception:  # the text is already broken: mutate it as text
                text = draw(text_mutation(text))
                continue
            data = draw(tree_mutation(data))
            text = (json.dumps(data, indent=1, default=str) if kind == "snapshot"
                    else yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200))
        else:
            text = draw(text_mutation(text))
    return kind, command, text[:MAX_TEXT]


# ---- the property ------------------------------------------------------------------------------

STATS: dict = {"inputs": 0, "tracebacks": 0, "by_code": {}, "crashes": []}


def run_one(kind: str, command: int, text: str, root: Path, keep_going: bool = False) -> None:
    """Write the input where its kind belongs and run a command that reads it (command: an index into
    the kind's commands, modulo their number). A crash raises, or with keep_going is recorded."""
    folder = root / "in" / kind
    shutil.rmtree(folder, ignore_errors=True)
    name = {"ruleset": "mini.yaml", "snapshot": "snap.json", "cases": "case_files/fuzz.yaml"}.get(kind, "input.yaml")
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("{FUZZ_ROOT}", str(root)), encoding="utf-8", errors="surrogatepass")
    options = commands(kind, path, root)
    args = options[command % len(options)]
    STATS["inputs"] += 1
    result = CliRunner().invoke(main, args)
    STATS["by_code"][result.exit_code] = STATS["by_code"].get(result.exit_code, 0) + 1
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed or "Traceback" in result.output or result.exit_code not in (0, 1, 2):
        STATS["tracebacks"] += 1
        what = f"{args[0]} on a mutated {kind}: exit {result.exit_code}, {result.exception!r}"
        if keep_going:
            STATS["crashes"].append({"kind": kind, "command": command, "error": what, "text": text})
            return
        raise AssertionError(f"{what}\n{result.output[-2000:]}\n--- input:\n{text[:3000]}") from result.exception


def with_crashes(test):
    for kind, command, text in CRASHES:
        test = example(case=(kind, command, text))(test)
    return test


def test_fuzz_every_command(place, request):
    """Quick: a derandomised sample that stops at the first crash. --fuzz-long: FUZZ_LONG inputs that
    go on past a crash, so that one run finds them all, then a report and the assertion."""
    long = request.config.getoption("--fuzz-long")
    started, before = time.perf_counter(), STATS["inputs"]

    @settings(max_examples=FUZZ_LONG if long else QUICK, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=mutated())
    @with_crashes
    def fuzz(case):
        run_one(*case, place, keep_going=long)

    fuzz()
    if long:
        report = {"inputs": STATS["inputs"] - before, "tracebacks": STATS["tracebacks"],
                  "seconds": round(time.perf_counter() - started, 1),
                  "by_exit_code": {str(k): v for k, v in sorted(STATS["by_code"].items())}, "crashes": STATS["crashes"]}
        (ROOT / ".fuzz-report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        assert report["inputs"] >= FUZZ_LONG and not STATS["crashes"], json.dumps(STATS["crashes"][:3])[:3000]


@pytest.mark.parametrize("name", sorted(p.name for p in FOUND.glob("*.txt")))
def test_every_crash_the_fuzzer_found_stays_fixed(place, name):
    kind, command = name.split("-")[1], int(name.split("-")[2].split(".")[0])
    run_one(kind, command, (FOUND / name).read_text(encoding="utf-8"), place)
