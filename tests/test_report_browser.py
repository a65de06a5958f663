"""A run's report.html in a real headless Chromium (Selenium), in English and in Dutch: no label is cut
off (every chart label inside its chart, nothing wider than its box, no "…"), no snake_case in the
words a reader sees, and every percentage with its base stated beside it (its sentence, list item or
cell, or the section's own words for a table or chart)."""

import datetime as dt
import re

import pytest

from regelgat.batch.report import load_summary, write_reports
from regelgat.batch.wording import Words
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets
from regelgat.rules.translations import bound_texts
from conftest import ROOT

pytestmark = pytest.mark.browser
# What a stated base looks like: "of the 11,285 ...", "of all 20,000 profiles", "van de 11.285 ...", or a
# sentence saying what each share of a table or chart is of.
BASE = re.compile(r"\b(of|van)( the| all| de| alle)? \d[\d.,]*\b|share is of|aandeel is van|shares are of|"
                  r"aandelen zijn van|share of|aandeel van|each share|elk aandeel", re.I)
SHARE = re.compile(r"\d+(?:[.,]\d)?%")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A run of divorced working men with --sensitivity (every section of the report), in both languages."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("report")
    subprocess.run([sys.executable, "-m", "regelgat", "run", str(ROOT / "scenarios" / "divorced-working-men.yaml"),
                    "--size", "5000", "--sensitivity", "--lang", "en", "--out", str(out / "en")],
                   check=True, capture_output=True)
    summary = load_summary(out / "en" / "summary.json")
    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), dt.date.fromisoformat(summary.scenario.date))
    (out / "nl").mkdir()
    write_reports(summary, out / "nl", Words("nl", bound_texts(compiled, "nl")))
    return {lang: (out / lang / "report.html").as_uri() for lang in ("en", "nl")}


CUT = """
const out = [];
for (const svg of document.querySelectorAll('svg')) {
  const box = svg.getBoundingClientRect();
  for (const text of svg.querySelectorAll('text')) {
    const r = text.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
      out.push('outside its chart: ' + text.textContent);
    if (text.textContent.includes('…')) out.push('shortened: ' + text.textContent);
  }
}
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('svg') || el.tagName === 'PRE') continue;
  if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
    out.push('wider than its box: ' + el.tagName + ' ' + el.textContent.slice(0, 60));
}
if (document.documentElement.scrollWidth > window.innerWidth) out.push('the page scrolls sideways');
return out;
"""

SHARES = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const share = /\\d+(?:[.,]\\d)?%/;
function section(el) {  // a table's or chart's own words: its caption and what precedes it in its section
  let words = el.querySelector('caption') ? el.querySelector('caption').textContent : '';
  for (let s = el.previousElementSibling; s && s.tagName !== 'H2'; s = s.previousElementSibling)
    if (s.tagName === 'P' || s.tagName === 'H3' || s.classList.contains('legend')) words += ' ' + s.textContent;
  return words;
}
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!share.test(node.textContent) || node.parentElement.closest('pre, title, style')) continue;
  const holder = node.parentElement.closest('p, li, .lead, table, .chart, .pattern h3');
  if (!holder) { out.push(['', node.textContent]); continue; }
  const own = holder.tagName === 'TABLE' || holder.classList.contains('chart') ? section(holder) : holder.textContent;
  out.push([own, node.textContent]);
}
return out;
"""

VISIBLE = """
const clone = document.body.cloneNode(true);
for (const el of clone.querySelectorAll('pre, code, title, a[href]')) el.remove();
return clone.innerText;
"""


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_chart_label_or_cell_is_cut_off(reports, browser, lang):
    browser.get(reports[lang])
    assert browser.execute_script(CUT) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_labels_are_words_not_snake_case(reports, browser, lang):
    browser.get(reports[lang])
    text = browser.execute_script(VISIBLE)
    names = {"durable_rules"}  # the library's own name, as the footer says which engine re-decided
    assert set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)) - names == set()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_percentage_states_its_base(reports, browser, lang):
    browser.get(reports[lang])
    found = browser.execute_script(SHARES)
    assert len(found) > 50  # the headline, the summary, the tables and the charts
    missing = sorted({text.strip()[:100] for words, text in found if not BASE.search(words)})
    assert missing == []
