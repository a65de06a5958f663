"""Reports of a batch run: terminal, Markdown and a self-contained HTML page (rendered in Chromium)."""

import datetime as dt
import re
import subprocess

import pytest
from rich.console import Console

from regelgat.batch.runner import RunOptions, run_batch
from regelgat.rules.compiled import compile_rules
from regelgat.batch.report import load_summary, render_html, render_markdown, render_terminal, write_reports
from regelgat.rules.ruleset import load_rulesets
from regelgat.population.scenario import load_scenario
from conftest import ROOT



@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    scenario = load_scenario(ROOT / "scenarios" / "divorced-working-men.yaml").with_overrides(size=20_000)
    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), scenario.date)
    out = tmp_path_factory.mktemp("run")
    return run_batch(scenario, compiled, RunOptions(out=out, workers=1)).summary


def test_markdown_has_the_headline_tables_sources_and_profiles(summary):
    text = render_markdown(summary)
    overall = summary.overall
    assert text.startswith("# Divorced working men aged 45-65 in Amsterdam")
    assert f"{overall.any_gap:,} of 20,000 profiles" in text
    assert "### By age band" in text and "| 45-49 |" in text
    top = [c for c in summary.criteria if not c.closed_to_all][0]
    assert f"]({top.source.url})" in text  # every refusing criterion links its source
    assert "Most typical profile:" in text and "Simplest profile:" in text and "```yaml" in text


def test_a_refusal_reads_as_a_refusal_and_labels_as_words(summary):
    text = render_markdown(summary) + render_html(summary)
    assert "which this person does not meet" in text  # not "ineligible: Your net income is below the norm"
    assert "(ineligible):" not in text and "— ineligible:" not in text
    assert "debt_help gap" not in text and "By age_band" not in text


def test_html_is_self_contained_and_escapes_text(summary):
    page = render_html(summary)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(?!https?://)[^"#]', page)  # no local files
    assert not re.search(r'src="https?://', page)  # nothing fetched from elsewhere: links only
    assert page.count("<svg") >= len(summary.groups)  # a chart per group, and the criteria chart
    evil = summary.model_copy(update={"scenario": summary.scenario.model_copy(update={"title": "<b>x</b> & y"})})
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in render_html(evil)


@pytest.fixture(scope="module")
def dutch(summary):
    from regelgat.batch.wording import Words
    from regelgat.rules.translations import bound_texts

    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), dt.date.fromisoformat(summary.scenario.date))
    return Words("nl", bound_texts(compiled, "nl"))


def test_the_reports_speak_dutch_with_the_rules_own_dutch_words(summary, dutch):
    text = render_markdown(summary, dutch)
    overall = summary.overall
    assert "## In het kort" in text and "## Gaten per groep" in text and "### Per leeftijdsgroep" in text
    assert f"{overall.any_gap:,}".replace(",", ".") + " van de 20.000 profielen" in text
    assert "Gap rates by group" not in text and "which this person does not meet" not in text
    top = [c for c in summary.criteria if not c.closed_to_all][0]
    assert dutch.rule(top.text) != top.text and dutch.rule(top.text) in text  # the criterion in Dutch
    assert top.text not in text
    page = render_html(summary, dutch)
    assert '<html lang="nl">' in page and "Criteria die het vaakst weigeren" in page
    console = Console(record=True, width=160)
    render_terminal(summary, console, "out", dutch)
    assert "Gaten per leeftijdsgroep" in console.export_text()


def test_english_is_the_default_and_shares_state_their_base(summary):
    text = render_markdown(summary)
    assert "## In short" in text and "Share of all 20,000 profiles." in text
    assert "Each share is of the profiles in that row" in text


def test_terminal_summary(summary):
    console = Console(record=True, width=120)
    render_terminal(summary, console, "out")
    text = console.export_text()
    assert "Gaps by age band" in text and "Top gap patterns" in text and "Criteria that refuse most often" in text
    assert "out/report.html" in text


@pytest.mark.browser
def test_report_renders_in_headless_chromium(summary, tmp_path, chromium):
    browser = chromium
    write_reports(summary, tmp_path)
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1100,2400", f"--screenshot={shot}", (tmp_path / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 2400)
    assert len(data) > 50_000  # a blank page compresses to a few KB; this one has text and charts


def test_summary_json_reads_back_as_the_same_model(summary, tmp_path):
    (tmp_path / "summary.json").write_text(summary.to_json(), encoding="utf-8")
    again = load_summary(tmp_path / "summary.json")
    assert again == summary and again.to_json() == summary.to_json()


def test_the_summary_model_has_counts_for_every_need():
    from regelgat.batch.summary_model import GroupStats
    from regelgat.client.profile import NEEDS

    needs = [name.removeprefix("need_") for name in GroupStats.model_fields if name.startswith("need_")]
    assert needs == list(NEEDS)
    for need in NEEDS:
        assert {f"gap_{need}", f"gap_{need}_share"} <= set(GroupStats.model_fields)


def test_group_labels_in_dutch():
    from regelgat.batch.wording import Words

    dutch = Words("nl", {"below the bijstand norm": "onder de bijstandsnorm"})
    assert [dutch.label(label) for label in ("under 21", "1,800 to 2,400", "sofa_surfing", "below the bijstand norm",
                                             "45-49")] == ["onder 21", "1,800 tot 2,400", "bankslaper",
                                                           "onder de bijstandsnorm", "45-49"]
    assert Words().label("sofa_surfing") == "sofa surfing"


def _sentences_with_shares(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.)])\s+(?=[A-Z0-9])", paragraph) if "%" in s]


def test_the_reports_open_with_a_plain_summary_whose_shares_state_their_base(summary, dutch):
    from regelgat.batch.plain_summary import plain_summary

    paragraph = plain_summary(summary)
    overall = summary.overall
    assert paragraph.startswith(f"{overall.any_gap:,} of the 20,000 simulated profiles ({overall.any_gap_share:.1%})")
    housing = f"{overall.gap('housing'):,} of the {overall.need('housing'):,} who need housing"
    assert housing in paragraph
    assert "Hardest hit are the profiles with housing “sofa surfing”" in paragraph  # the label, in words
    assert "The rules reward getting worse" in paragraph and "_" not in paragraph
    for sentence in _sentences_with_shares(paragraph):  # every share with its base, in the same sentence
        for share in re.finditer(r"\d+\.\d%", sentence):
            assert re.search(r"of the [\d,]+ ", sentence[:share.start()]), sentence
    text = render_markdown(summary)
    assert text.split("\n")[2] == paragraph  # right under the title, before anything else
    assert f'<p class="summary">{paragraph}</p>' in render_html(summary)
    nl = plain_summary(summary, dutch)
    assert nl.startswith(f"{overall.any_gap:,}".replace(",", ".") + " van de 20.000 gesimuleerde profielen")
    assert "De regels belonen achteruitgang" in nl and "Hardest hit" not in nl
    for share in re.finditer(r"\d+,\d%", nl):
        assert re.search(r"van de [\d.]+ ", nl[:share.start()])
    assert render_markdown(summary, dutch).split("\n")[2] == nl


def test_every_table_as_csv_with_the_base_of_each_share_and_the_same_bytes_again(summary, tmp_path, dutch):
    import csv

    from regelgat.batch.report_tables import TABLES, tables

    write_reports(summary, tmp_path)
    written = {p.name: p.read_text(encoding="utf-8") for p in sorted((tmp_path / "tables").glob("*.csv"))}
    assert set(written) == {"gap_rates.csv", "shortfall.csv", "criteria.csv", "criteria_by_group.csv",
                            "provisions.csv", "patterns.csv", "routes.csv"} | ({"loops.csv"} if summary.loops else set())
    # no sensitivity, no weeks; no loops table where no loop was found
    gaps = list(csv.DictReader(written["gap_rates.csv"].splitlines()))
    overall = summary.overall
    assert gaps[0]["group"] == "all" and int(gaps[0]["gap_housing"]) == overall.gap("housing")
    assert int(gaps[0]["need_housing"]) == overall.need("housing")
    assert float(gaps[0]["gap_housing_share_of_need"]) == pytest.approx(overall.gap("housing") / overall.need("housing"))
    assert "sofa surfing" in {row["label_words"] for row in gaps}  # labels in words beside the data's own
    for name, text in written.items():
        header = text.split("\n")[0].split(",")
        for column in header:  # every share sits beside the count it is a share of
            if column.endswith("_share"):
                assert {"profiles", "gap_cases", "shortfall_profiles"} & set(header), (name, column)
    criteria = list(csv.DictReader(written["criteria.csv"].splitlines()))
    ranked = [row for row in criteria if row["rank"]]
    top = [c for c in summary.criteria if not c.closed_to_all][0]
    assert ranked[0]["criterion"] == top.criterion and ranked[0]["source_url"] == top.source.url
    assert len(criteria) == len(summary.criteria)
    docs = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")
    for name, text in written.items():  # the documentation names every file and column
        assert f"`{name}`" in docs
        for column in text.split("\n")[0].split(","):
            generic = re.sub(r"_(housing|income|care|debt_help)(_|$)", r"_<need>\2", column)
            assert f"`{column}`" in docs or f"`{generic}`" in docs, (name, column)
    assert set(TABLES) >= {n[:-4] for n in written}
    again = tables(summary.model_validate_json(summary.to_json()))  # from summary.json: the same bytes
    assert again == written
    dutch_tables = tables(summary, dutch)
    assert dutch_tables["gap_rates.csv"].split("\n")[0] == written["gap_rates.csv"].split("\n")[0]
    assert "bankslaper" in dutch_tables["gap_rates.csv"]


def _criterion(summary, provision, criterion):
    return next(c for c in summary.criteria if (c.provision, c.criterion) == (provision, criterion))


def test_refusing_criteria_rank_only_among_the_people_a_provision_is_meant_for(summary):
    from regelgat.batch.highlights import filters, not_meant_for, open_doors, per_group_top
    from regelgat.batch.plain_summary import plain_summary

    ranked = filters(summary)
    child = _criterion(summary, "amsterdam-shelter/family_emergency_shelter", "family_with_children")
    assert child.scope and child.count > summary.profiles / 3 and child.count_in_scope == 0
    assert child not in ranked and child in not_meant_for(summary)  # listed apart, not as the door that shut
    youth = _criterion(summary, "amsterdam-shelter/mo_youth", "left_home_situation")  # not a scope criterion,
    assert youth.count > 0 and youth.in_scope == 0 and youth not in ranked  # but no man of 45-65 is 18 to 22
    adult = _criterion(summary, "amsterdam-shelter/mo_adult", "limited_self_reliance")
    assert adult in ranked and adult.in_scope == adult.relevant and adult.count_in_scope == adult.count  # all 23+
    for c in ranked:
        assert not c.scope and 0 < c.count_in_scope <= c.count and c.in_scope <= c.relevant
    assert [c.count_in_scope for c in ranked] == sorted((c.count_in_scope for c in ranked), reverse=True)
    for group in summary.groups[1:]:
        for _, _, top in per_group_top(summary, group):
            assert all(not c.scope and c.provision != "amsterdam-shelter/mo_youth" for c, _ in top)
    doors = {p.provision: p for p in summary.provisions}
    assert "amsterdam-shelter/mo_youth" not in {p.provision for p in open_doors(summary)}
    family = doors["amsterdam-shelter/family_emergency_shelter"]
    assert 0 < family.shut_in_scope < family.shut_doors / 10  # only the fathers with a child at home count
    text = render_markdown(summary)
    ranking, apart = text.split("## Criteria that refuse most often")[1].split("Not meant for them:")
    assert child.text not in ranking and child.text in apart.split("###")[0]
    assert "“You have a child under 18" not in plain_summary(summary)


def test_the_same_criteria_rank_where_the_provision_is_meant_for_the_population(tmp_path):
    from regelgat.batch.highlights import filters

    scenario = load_scenario(ROOT / "scenarios" / "pregnant-young-women.yaml").with_overrides(size=4000)
    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), scenario.date)
    young = run_batch(scenario, compiled, RunOptions(out=tmp_path, workers=1)).summary
    youth = _criterion(young, "amsterdam-shelter/mo_youth", "left_home_situation")
    assert youth in filters(young) and 0 < youth.count_in_scope < youth.count  # the 18-22s count, the rest not
    assert youth.in_scope < youth.relevant


def test_scope_is_data_in_the_ruleset_not_code(tmp_path):
    import shutil

    from regelgat.batch.highlights import filters

    folder = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", folder)
    shelter = folder / "amsterdam-shelter.yaml"
    text = shelter.read_text(encoding="utf-8")
    marked = "        condition: minor_children_at_home >= 1 or pregnant\n        scope: true\n"
    assert text.count(marked) == 1
    shelter.write_text(text.replace(marked, "        condition: minor_children_at_home >= 1 or pregnant\n"),
                       encoding="utf-8")
    scenario = load_scenario(ROOT / "scenarios" / "divorced-working-men.yaml").with_overrides(size=3000)
    plain = run_batch(scenario, compile_rules(load_rulesets(folder), scenario.date),
                      RunOptions(out=tmp_path / "run", workers=1)).summary
    child = _criterion(plain, "amsterdam-shelter/family_emergency_shelter", "family_with_children")
    assert not child.scope and filters(plain)[0] is child  # unmarked, it ranks first again, as in the issue
