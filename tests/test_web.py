"""The web page and the JSON API, through FastAPI's test client (no browser: see test_web_browser)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from regelgat.check.single import check_json, check_with_durable, load_profile
from regelgat.rules.ruleset import load_rulesets
from regelgat.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "scenarios" / "personas"
DATE = "2026-01-15"


@pytest.fixture(scope="module")
def client():
    import datetime as dt

    with TestClient(create_app(load_rulesets(ROOT / "rulesets"), dt.date.fromisoformat(DATE))) as test_client:
        yield test_client


def mr_k_form(lang="nl", **extra):
    return {"lang": lang, "id": "Mr K.", "age": "58", "relationship": "separated", "housing": "unsuitable",
            "income_net_monthly": "1550", "income_source": "employment", "needs": "housing", "date": DATE,
            "host": "ex_partner", "nights_per_week": "3", "host_on_bijstand": "yes", **extra}


@pytest.mark.parametrize("persona", ["mr-k", "pregnant-19", "control"])
def test_api_check_returns_the_cli_contract(client, persona):
    import datetime as dt

    data = yaml.safe_load((PERSONAS / f"{persona}.yaml").read_text())
    response = client.post("/api/v1/check", json={"profile": data, "date": DATE})
    assert response.status_code == 200
    expected = check_json(check_with_durable(load_profile(PERSONAS / f"{persona}.yaml"), dt.date.fromisoformat(DATE)))
    assert response.json() == json.loads(json.dumps(expected))


def test_api_questions_follow_the_requested_language(client):
    first = {"id": "x", "age": 58, "relationship": "separated", "housing": "unsuitable", "income_net_monthly": 1550,
             "income_source": "employment", "needs": ["housing"]}
    english = client.post("/api/v1/check", json={"profile": first, "date": DATE}).json()
    dutch = client.post("/api/v1/check?lang=nl", json={"profile": first, "date": DATE}).json()
    browser = client.post("/api/v1/check", json={"profile": first, "date": DATE},
                          headers={"accept-language": "nl-NL,nl;q=0.9"}).json()
    asked = {q["fact"]: q["text"] for q in english["questions"]}
    assert asked["self_reliant"] == "Has a GGD self-reliance screening found the client not self-reliant?"
    assert {q["fact"]: q["text"] for q in dutch["questions"]}["self_reliant"].startswith("Heeft een zelfredzaamheids")
    assert browser["questions"] == dutch["questions"] and [q["fact"] for q in dutch["questions"]] == list(asked)


@pytest.mark.parametrize("body, message", [
    ({"profile": {"id": "x", "age": "58"}}, "request body: profile: age: Input should be a valid integer"),
    ({"profile": {"id": "x", "age": 58, "incom_net_monthly": 5}}, "unknown field 'incom_net_monthly' (did you mean income_net_monthly?)"),
    ({"profile": {"id": "x", "age": 58}, "date": "15-01-2026"}, "request body: date: '15-01-2026' is not a date (write it as YYYY-MM-DD)"),
    ({"age": 58}, "send the profile under the key profile"),
])
def test_api_errors_are_one_line_json_with_422(client, body, message):
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert message in error and "\n" not in error


def test_api_refuses_bad_json_and_oversized_bodies(client):
    bad = client.post("/api/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and "not valid JSON" in bad.json()["error"]
    big = client.post("/api/v1/check", content=b"{" + b" " * 2_000_000 + b"}", headers={"content-type": "application/json"})
    assert big.status_code == 413 and "larger than" in big.json()["error"]

    def chunks():  # no Content-Length: the limit counts the bytes as they stream in
        for _ in range(40):
            yield b" " * 4096
    streamed = client.post("/api/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert client.get("/api/v1/schema").status_code == 200  # and the server still serves


def test_rules_schema_and_openapi(client):
    rules = client.get("/api/v1/rules").json()
    assert {r["id"] for r in rules} == {r.id for r in load_rulesets(ROOT / "rulesets")}
    assert client.get("/api/v1/schema").json()["title"] == "Profile"
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/api/v1/check", "/api/v1/rules", "/api/v1/schema"}


def test_docs_load_nothing_from_elsewhere(client):
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "<script>" not in page  # no inline script either
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/static/swagger-init.js"):
        assert asset in page and client.get(asset).status_code == 200


def test_every_page_sends_the_security_headers(client):
    for response in (client.get("/"), client.post("/check", data=mr_k_form()), client.get("/docs")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_empty_form_asks_the_first_questions_in_dutch_by_default(client):
    page = client.get("/", headers={"accept-language": ""}).text
    assert '<html lang="nl">' in page and "Waar slaapt de cliënt vannacht?" in page
    for name in ("age", "relationship", "housing", "income_net_monthly", "income_source"):
        assert f'name="{name}"' in page
    assert 'name="self_reliant"' not in page  # asked only when it could change a verdict
    assert '<html lang="en">' in client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).text


def test_mr_k_first_answers_leave_housing_undecided_and_ask_what_decides_it(client):
    page = client.post("/check", data=mr_k_form()).text
    short = page[page.index('class="short"'):]
    assert "Wonen:" in short and "nog niet beslist" in short  # not a gap: doors are still undetermined
    questions = page[page.index('id="next-heading"'):page.index('id="answers-heading"')]
    assert 'name="self_reliant"' in questions  # the screening decides the shelter door


MR_K_MORE = {"municipality": "Amsterdam", "residence_status": "dutch", "registered_address": "none",
             "years_in_region": "30", "self_reliant": "yes", "addiction": "no", "psychiatric_disorder": "no",
             "domestic_violence": "no", "problematic_debts": "yes", "in_debt_restructuring": "yes",
             "housing_problem_cause": "divorce", "assets": "0", "health_insured": "yes", "youth_care_before_18": "no",
             "student_finance": "no", "detox_completed": "no", "social_problems_resolved": "no"}


def test_mr_k_result_says_housing_is_not_covered_and_why(client):
    page = client.post("/check", data=mr_k_form(**MR_K_MORE)).text
    short = page[page.index('class="short"'):page.index('class="doors"')]
    assert "Wonen:" in short and "niet gedekt" in short
    assert "Maatschappelijke opvang" in page and "rechtspraak.nl" in page  # the clause's source is linked
    assert "Gaat open als de cliënt door de GGD-screening niet zelfredzaam werd bevonden." in page  # a sentence
    assert "not self_reliant" not in page and "amsterdam-shelter/" not in page  # no expressions, no ids
    assert "Als de cliënt daar de meeste nachten sliep:" in page  # his wife's bijstand


def test_answers_can_be_corrected_and_bad_answers_are_shown_beside_the_question(client):
    page = client.post("/check", data=mr_k_form(lang="en", age="fifty")).text
    assert "Write a whole number." in page and 'aria-invalid="true"' in page
    assert 'value="1550"' in page  # the other answers are kept
    older = client.post("/check", data=mr_k_form(lang="en", age="130"))
    assert older.status_code == 422 and "Some answers cannot be used yet" in older.text


def test_a_script_in_a_name_is_shown_as_text(client):
    page = client.post("/check", data=mr_k_form(id="<script>alert(1)</script>")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_server_logs_no_profile(tmp_path):
    """Run `regelgat serve`, post a profile with a recognisable name, and read everything it printed."""
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "regelgat", "serve", "--port", str(port), "--date", DATE],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        httpx.post(f"http://127.0.0.1:{port}/check", data=mr_k_form(id="Jansen-unique-name"), timeout=10)
        httpx.post(f"http://127.0.0.1:{port}/api/v1/check",
                   json={"profile": {"id": "Jansen-unique-name", "age": 58}}, timeout=10)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "Jansen" not in output and "POST" not in output


def test_the_form_can_ask_every_question_that_decides_a_verdict(client):
    from regelgat.client.questions import asked_fields
    from regelgat.web.questions import QUESTIONS

    assert set(asked_fields()) <= set(QUESTIONS)
    eu = {"lang": "en", "id": "E.", "age": "30", "relationship": "single", "housing": "street", "income_net_monthly": "0",
          "income_source": "none", "residence_status": "eu_citizen", "needs": ["housing", "income"], "date": DATE}
    page = client.post("/check", data=eu).text
    offered = page[page.index('id="next-heading"'):page.index('id="answers-heading"')]
    assert 'name="eu_jobseeker_or_first_3_months"' in offered  # it decides the bijstand door


def test_who_else_lives_in_the_home_is_asked_with_the_first_questions(client):
    empty = client.get("/?lang=en").text
    assert 'name="co_age_1"' in empty and 'name="co_relation_1"' in empty  # the household, from the start
    form = {"lang": "en", "id": "a", "age": "40", "relationship": "single", "income_net_monthly": "0",
            "income_source": "none", "residence_status": "dutch", "assets": "0", "municipality": "Amsterdam",
            "needs": "income", "date": DATE}
    page = client.post("/check", data={**form, "co_age_1": "30", "co_relation_1": "child"}).text
    assert 'value="30"' in page and '<option value="child" selected>' in page  # kept, to correct
    bad = client.post("/check", data={**form, "co_age_1": "thirty", "co_relation_1": "child"})
    assert bad.status_code == 422 and "write the age as a whole number" in bad.text
    import datetime as dt

    from regelgat.client.profile import Profile
    from regelgat.web.interview import read_form

    def norm(extra):
        read = read_form({**form, **extra}, ["income"])
        checked = client.app.state.checker.check(Profile(**read.data), dt.date.fromisoformat(DATE))
        return read.data.get("co_residents"), check_json(checked)["household"]["social_minimum"]

    (nobody, alone), (son, shared) = norm({}), norm({"co_age_1": "30", "co_relation_1": "child"})
    assert nobody == [] and son == [{"age": 30, "relation": "child", "student_finance": False}]
    assert shared < alone  # a son of 30 at home is a cost-sharer: the kostendelersnorm applies
    student, with_student = norm({"co_age_1": "30", "co_relation_1": "child", "co_student_1": "yes"})
    assert student[0]["student_finance"] and with_student == alone  # a student does not share costs
