"""No ids, fact names or condition syntax anywhere a person reads: the short story, `--full` and the
result page, for every bundled persona in Dutch and English. The JSON contract keeps the ids; it is
for software."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from regelgat.cli import main
from regelgat.rules.ruleset import load_rulesets
from regelgat.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = sorted((ROOT / "scenarios" / "personas").glob("*.yaml"))
DATE = "2026-01-15"
LINK = re.compile(r"<?https?://\S+")  # a source's address may hold anything
FORBIDDEN = {
    "a snake_case id or fact name": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "a comparison operator": re.compile(r"[<>!=]=|(?<![\w€]) [<>] (?=[\w\"'])"),
    "a provision id": re.compile(r"\b[a-z]+(?:-[a-z]+)+/[a-z]"),
    "a membership test": re.compile(r"\b(?:not )?in \[|\[\""),
    "a Python value": re.compile(r"\b(?:True|False|None)\b"),
}


NAMES = re.compile(r"\bdurable_rules\b")  # the rules engine's own name, said as a name


def offences(text: str) -> list[str]:
    words = NAMES.sub("", LINK.sub("", text))
    return [f"{what}: {match.group(0)!r} in ...{words[max(0, match.start() - 60):match.end() + 20]!r}"
            for what, pattern in FORBIDDEN.items() for match in pattern.finditer(words)]


class _Visible(HTMLParser):
    """The text a reader sees (or a screen reader reads): data outside scripts and styles, and alt texts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("alt", "title", "aria-label") and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def form_of(profile: dict, lang: str) -> dict:
    """The interview's form filled in with a persona's answers."""
    form = {"lang": lang, "date": DATE}
    for name, value in profile.items():
        if name == "children":
            form["children"] = ", ".join(str(c["age"]) for c in value if c.get("lives_with_client", True))
        elif name == "co_residents":
            for row, person in enumerate(value, 1):
                form.update({f"co_age_{row}": str(person["age"]), f"co_relation_{row}": person["relation"],
                             f"co_student_{row}": "yes" if person.get("student_finance") else ""})
        elif name == "sleeps_elsewhere":
            form.update(host=value["host"], nights_per_week=str(value["nights_per_week"]),
                        host_on_bijstand="yes" if value.get("host_on_bijstand") else "no")
        elif name != "needs":
            form[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return form


@pytest.fixture(scope="module")
def page():
    with TestClient(create_app(load_rulesets(ROOT / "rulesets"), dt.date.fromisoformat(DATE))) as client:
        yield client


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.stem)
def test_the_story_and_the_full_table_read_as_plain_words(persona, lang):
    runner = CliRunner(env={"COLUMNS": "400"})  # wide enough that no table cell folds a link in two
    for extra in ([], ["--full"]):
        result = runner.invoke(main, ["check", str(persona), "--date", DATE, "--lang", lang, *extra])
        assert result.exit_code == 0, result.output
        assert not offences(result.output), "\n".join(offences(result.output)[:5])


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.stem)
def test_the_result_page_reads_as_plain_words(page, persona, lang):
    profile = yaml.safe_load(persona.read_text(encoding="utf-8"))
    response = page.post("/check", data={**form_of(profile, lang), "needs": profile.get("needs", [])})
    assert response.status_code == 200, visible(response.text)[:300]
    text = visible(response.text)
    assert not offences(text), "\n".join(offences(text)[:5])


def test_the_scan_finds_what_it_looks_for():
    for bad in ("would need: bijstand_counted_income < 1401.5", "age >= 18", "amsterdam-shelter/mo_adult",
                'housing_problem_cause in ["medical"]', "now self_reliant = True", "x == 'home'"):
        assert offences(bad), bad
    assert not offences("Gaat open als dit bedrag onder € 1.401,50 lag (nu € 1.550,00). Bron: "
                        "<https://wetten.overheid.nl/BWBR0015703/2026-01-01#Artikel21> 18 tot 22 jaar")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_batch_report_reads_as_plain_words(tmp_path, lang):
    """Outside the example profiles (YAML to check again, so in field names) the report names no id."""
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "divorced-working-men.yaml"), "--size", "400",
                                       "--workers", "1", "--rows", "none", "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    markdown = re.sub(r"```.*?```", "", (out / "report.md").read_text(encoding="utf-8"), flags=re.S)
    html = re.sub(r"<pre.*?</pre>", "", (out / "report.html").read_text(encoding="utf-8"), flags=re.S)
    for text in (markdown, visible(html)):
        assert "would open if" in text or "zou opengaan" in text  # the routes are there, in words
        assert not offences(text), "\n".join(offences(text)[:5])
