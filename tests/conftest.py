"""Shared test settings: the paths tests read, the bundled rulesets loaded once, browser tests that skip on a machine without Chromium
(CI requires it), and the fuzzer's depth (`--fuzz-long`)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
CORE = FIXTURES / "core"  # small rulesets and profiles for the engine and CLI tests
GUARD = FIXTURES / "guard"  # rulesets, a scenario and case files for the rule-change guards
FIXTURE_RULES = FIXTURES / "batch" / "rulesets"  # rulesets that exercise every batch feature
EVERYTHING = FIXTURES / "batch" / "everything.yaml"  # a scenario that uses every distribution

@pytest.fixture(scope="session")
def rulesets():
    """The bundled rulesets, loaded once for every test that binds them at a date of its own."""
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.ruleset import load_rulesets

    return load_rulesets(default_rulesets_dir())


INSTALL = "apt-get install -y chromium chromium-driver"
REQUIRE = "REGELGAT_REQUIRE_BROWSER"  # .ci/run sets it: in CI a missing browser fails instead of skipping


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="Run the fuzzer deep (thousands of inputs) instead of the quick CI sample.")


def _need(program: str, found: str | None) -> str:
    if found:
        return found
    reason = f"needs {program}, which is not installed here: {INSTALL}"
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 and the browser test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """The Chromium binary; browser tests skip without it (with the install line), or fail in CI."""
    return _need("Chromium", shutil.which("chromium") or shutil.which("chromium-browser")
                 or shutil.which("google-chrome"))


@pytest.fixture
def chromedriver(chromium) -> str:
    """Chromium's WebDriver, for Selenium tests: skips or fails like `chromium`."""
    return _need("chromedriver", shutil.which("chromedriver"))


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and "chromium" not in item.fixturenames:
        item.fixturenames.append("chromium")  # every browser test needs the browser, fixture or not


def _usual_given() -> str:
    """A case file's `given:` line with every usual answer, for inline case files whose profiles
    leave out what does not matter to them (left out, a fact would be unknown)."""
    import json

    from regelgat.client.profile import USUAL

    return "given: " + json.dumps(USUAL)


USUAL_GIVEN = _usual_given()
# The same usual answers as profile-file lines, to append to a profile written inline.
USUAL_LINES = "".join(f"{name}: {json.dumps(value)}\n" for name, value in __import__("regelgat.client.profile",
                                                                                      fromlist=["USUAL"]).USUAL.items())


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium driven by Selenium (Debian's chromium and chromium-driver), one per test module;
    skips without them, or fails in CI (REGELGAT_REQUIRE_BROWSER=1)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = _need("Chromium", shutil.which("chromium") or shutil.which("chromium-browser"))
    driver_path = _need("chromedriver", shutil.which("chromedriver"))
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1100,1400", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
