"""`regelgat lint` refuses what a reader of the rules could not check: statute without the official text,
a source without an address, and an amount applied beyond the years its source covers."""

from pathlib import Path

from click.testing import CliRunner

from regelgat.cli import main
from regelgat.rules.lint import lint_rulesets

CORE = Path(__file__).parent / "fixtures" / "core"
ROOT = Path(__file__).resolve().parent.parent


def _rules(tmp_path, replace: tuple[str, str] = ("", ""), append: str = "") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    text = (CORE / "mini.yaml").read_text()
    assert replace[0] in text
    (folder / "mini.yaml").write_text(text.replace(*replace, 1) + append)
    return folder


def test_the_fixture_and_the_bundled_rulesets_are_clean():
    assert lint_rulesets(CORE)[0] == []
    problems, summary = lint_rulesets(ROOT / "rulesets")
    assert problems == [] and summary.endswith("clean")


def test_a_statute_criterion_citing_a_news_page_fails(tmp_path):
    rules = _rules(tmp_path, ('{title: Pw art. 11, url: "https://wetten.overheid.nl/BWBR0015703/2025-07-01"}',
                              '{title: A news page, url: "https://www.example.org/bijstand"}'))
    result = CliRunner().invoke(main, ["lint", str(rules)])
    assert result.exit_code == 1
    assert "provision bijstand, residence: kind statute, but the source is not the official text" in result.output
    # the same source is fine for reported practice
    practice = _rules(tmp_path / "p", ('        kind: statute\n        source: {title: Pw art. 11, url: '
                                       '"https://wetten.overheid.nl/BWBR0015703/2025-07-01"}',
                                       '        kind: practice\n        source: {title: A news page, url: '
                                       '"https://www.example.org/bijstand"}'))
    assert lint_rulesets(practice)[0] == []


def test_official_text_hosts_are_accepted(tmp_path):
    for url in ("https://zoek.officielebekendmakingen.nl/gmb-2022-571114.html",
                "https://lokaleregelgeving.overheid.nl/CVDR730338/1",
                "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32004L0038"):
        rules = _rules(tmp_path / url.split("/")[2], ("https://wetten.overheid.nl/BWBR0015703/2025-07-01\"}\n"
                                                      "      - id: residence", f"{url}\"}}\n      - id: residence"))
        assert lint_rulesets(rules)[0] == [], url


def test_a_source_without_a_url_fails(tmp_path):
    rules = _rules(tmp_path, ('{title: Pw art. 11, url: "https://wetten.overheid.nl/BWBR0015703/2025-07-01"}',
                              '{title: Pw art. 11}'))
    problems, _ = lint_rulesets(rules)
    assert len(problems) == 1 and "source.url: required field 'url' is missing" in problems[0]


STALE = """
  old_limit:
    description: A limit last read for 2023.
    unit: EUR/year
    values:
      2025-01-01: {value: 40000, source: {title: Old limit, url: "https://www.example.org/2025"}}
"""


def test_an_amount_from_an_older_year_must_be_flagged(tmp_path):
    text = (CORE / "mini.yaml").read_text()
    with_param = text.replace("provisions:\n", STALE.lstrip("\n").join(["", "provisions:\n"]), 1)
    with_param = with_param.replace('        assumption: "A test flag, to check that flags reach verdicts."\n',
                                    '        assumption: "A test flag, to check that flags reach verdicts."\n'
                                    '      2026-01-01: {value: 1401.5, source: {title: Pw 2026-01 art. 21, '
                                    'url: "https://wetten.overheid.nl/BWBR0015703/2026-01-01"}}\n', 1)
    with_param = with_param.replace("condition: income_net_monthly < norm_single\n",
                                    "condition: income_net_monthly < norm_single and yearly_income < old_limit\n", 1)
    folder = tmp_path / "stale"
    folder.mkdir()
    (folder / "mini.yaml").write_text(with_param)
    problems, _ = lint_rulesets(folder)
    assert problems == ["%s: parameter old_limit: its last value dates from 2025-01-01, before 2026, the newest "
                        "year these rulesets cover; add a 2026 value with its source, or flag the 2025-01-01 value "
                        "with assumption: (that it still applies is not confirmed)" % (folder / "mini.yaml")]
    flagged = with_param.replace('url: "https://www.example.org/2025"}}',
                                 'url: "https://www.example.org/2025"}, assumption: "2025 level, not re-confirmed."}')
    (folder / "mini.yaml").write_text(flagged)
    assert lint_rulesets(folder)[0] == []
