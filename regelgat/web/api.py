"""The JSON API for other software: the same contract as `regelgat check --format json`.

Errors are JSON `{"error": "<one line>"}` with status 422, worded as the CLI words them: the place
in the request body, the problem and the likely fix.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from regelgat.check.single import check_json
from regelgat.client.profile import Profile
from regelgat.i18n import choose_language
from regelgat.io import datafiles
from regelgat.io.errors import InputError

router = APIRouter(prefix="/api/v1", tags=["api"])
BODY = "request body"


class CheckRequest(BaseModel):
    """A client profile and the date whose rules apply."""

    model_config = ConfigDict(extra="forbid")

    profile: Profile
    date: dt.date | None = Field(None, description="Rules date, YYYY-MM-DD (default: today).")
    provisions: list[str] = Field([], max_length=100, description="Only these provisions (<ruleset>/<provision>) "
                                  "and the prerequisites they depend on; effects on others are left out.")
    needs: list[str] = Field([], max_length=4, description="Only the provisions that cover these needs, with their "
                             "prerequisites; gaps are decided for these needs only.")


def _no_place(loc: tuple) -> str:
    return ""  # a request body has no line numbers; the field path says where


def validate_check_request(data: Any) -> CheckRequest:
    """Validate a decoded body with the same one-line messages as a profile file gets."""
    if not isinstance(data, dict) or "profile" not in data:
        raise InputError(BODY, "", "expected {\"profile\": {...}, \"date\": \"YYYY-MM-DD\"}",
                         "send the profile under the key profile")
    profile = datafiles.validate(Profile, data["profile"], f"{BODY}: profile", _no_place)
    extra = sorted(set(data) - {"profile", "date", "provisions", "needs"})
    if extra:
        raise InputError(BODY, extra[0], f"unknown field {extra[0]!r}", "allowed: profile, date, provisions, needs")
    for key in ("provisions", "needs"):
        if not isinstance(data.get(key, []), list) or not all(isinstance(v, str) for v in data.get(key, [])):
            raise InputError(BODY, key, "is not a list of names", f'send e.g. "{key}": ["..."]')
    try:
        date = dt.date.fromisoformat(data["date"]) if data.get("date") is not None else None
    except (TypeError, ValueError):
        raise InputError(BODY, "date", f"{data['date']!r} is not a date", "write it as YYYY-MM-DD") from None
    return CheckRequest(profile=profile, date=date, provisions=data.get("provisions", []), needs=data.get("needs", []))


def error_response(exc: InputError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=422)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's list of errors becomes the CLI's one line: the body is validated again to word it."""
    try:
        validate_check_request(json.loads(await request.body()))
    except InputError as problem:
        return error_response(problem)
    except ValueError as bad_json:
        return error_response(InputError(BODY, "", f"not valid JSON ({bad_json})", "send a JSON object"))
    first = exc.errors()[0] if exc.errors() else {}
    return error_response(InputError(BODY, ".".join(map(str, first.get("loc", ()))), first.get("msg", "invalid")))


@router.post("/check", summary="Check one client profile against every provision")
def check(body: CheckRequest, request: Request, lang: str | None = None,
          assume: Literal["practice"] | None = None) -> dict[str, Any]:
    """Per provision eligible, ineligible, blocked or undetermined, with the deciding criteria and
    their sources, then the questions that decide what is undetermined, gaps, referral loops and
    effects on others; with `provisions` or `needs`, only those provisions (or the doors of those
    needs) and their prerequisites. Texts meant for people (questions, assumed defaults) follow
    `?lang=nl|en`, else the Accept-Language header, else English. The profile is neither stored
    nor logged. `?assume=practice` applies reported practice that no rule confirms as rules (by
    default it refuses no one and shows as `practice_risks`)."""
    try:
        checked = request.app.state.checker.check(body.profile, body.date or dt.date.today(),
                                                  (tuple(body.provisions), tuple(body.needs)), assume == "practice")
    except InputError as exc:  # a provision or need that does not exist
        return error_response(InputError(BODY, f"{exc.setting}: {exc.place}", exc.problem, exc.fix))
    accept = request.headers.get("accept-language")
    return check_json(checked, choose_language(lang, accept) if lang or accept else "en")


@router.get("/rules", summary="The catalogue of rulesets, provisions and criteria")
def rules(request: Request) -> list[dict[str, Any]]:
    return [ruleset.spec.model_dump(mode="json", exclude_none=True) for ruleset in request.app.state.checker.rulesets]


@router.get("/schema", summary="The JSON Schema of a client profile")
def schema() -> dict[str, Any]:
    return Profile.model_json_schema()
