"""Generated documentation stays true to the code and the rules it describes."""


from click.testing import CliRunner

from regelgat.batch.summary_model import summary_markdown
from regelgat.rules.catalogue import markdown
from regelgat.check.single import default_rulesets_dir
from regelgat.cli import main
from regelgat.client.profile import profile_markdown
from regelgat.rules.ruleset import load_rulesets
from conftest import ROOT



def test_profile_reference_is_current():
    assert (ROOT / "docs" / "profile.md").read_text(encoding="utf-8") == profile_markdown() + "\n", \
        "regenerate with: regelgat schema --markdown > docs/profile.md"


def test_summary_format_is_current():
    assert (ROOT / "docs" / "summary-format.md").read_text(encoding="utf-8") == summary_markdown() + "\n", \
        "regenerate with: regelgat schema --summary --markdown > docs/summary-format.md"


def test_rules_catalogue_is_current():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == markdown(load_rulesets(default_rulesets_dir())), \
        "regenerate with: regelgat rules --markdown"


def test_bundled_rulesets_lint_clean():
    result = CliRunner().invoke(main, ["lint", str(default_rulesets_dir())])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("clean")
