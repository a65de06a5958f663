"""The pages a social worker uses: an empty interview, then the answer with the next questions.

Answers travel in a POST form and come back in the same form on the result page, so every
answer can be corrected and checked again; nothing is kept on the server between requests.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from regelgat.client.profile import NEEDS, Profile
from regelgat.io import datafiles
from regelgat.io.errors import InputError
from regelgat.web import questions
from regelgat.web.answer import build_answer
from regelgat.web.diagram import loop_picture
from regelgat.i18n import N_, choose_language, translations
from regelgat.web.interview import Answers, next_questions, read_form

router = APIRouter(include_in_schema=False)
LANGUAGE: ContextVar[str] = ContextVar("language", default="en")


def _render(request: Request, lang: str, template: str, context: dict, status: int = 200) -> HTMLResponse:
    LANGUAGE.set(lang)
    base = {"lang": lang, "q": questions.QUESTIONS, "first": questions.FIRST_QUESTIONS, "hosts": questions.HOSTS,
            "need_labels": questions.NEED_LABELS, "yes_no": questions.YES_NO, "needs_all": NEEDS}
    return request.app.state.templates.TemplateResponse(request, template, {**base, **context}, status_code=status)


@router.get("/", response_class=HTMLResponse)
def interview(request: Request, lang: str | None = None):
    """The empty form: the questions every case needs."""
    lang = choose_language(lang, request.headers.get("accept-language"))
    return _render(request, lang, "interview.html", {"values": {}, "asked": list(questions.FIRST_QUESTIONS),
                                                     "next": [], "problems": {}, "date": ""})


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request):
    """Check the answers; show the short answer, the questions that could change it, and the form."""
    form = await request.form()
    lang = choose_language(form.get("lang"), request.headers.get("accept-language"))
    values = {key: str(value) for key, value in form.items()}
    answers = read_form(values, form.getlist("needs"))
    date = _date(values.get("date"), answers)
    asked = [f for f in questions.QUESTIONS if f in questions.FIRST_QUESTIONS or f in answers.answered]
    context = {"values": values, "needs_chosen": answers.data["needs"], "asked": asked, "problems": answers.problems,
               "date": values.get("date", "")}
    profile = None if answers.problems else _profile(answers)
    if profile is None:
        return _render(request, lang, "interview.html", {**context, "next": []}, status=422)
    checked = request.app.state.checker.check(profile, date or dt.date.today())
    _ = translations(lang).gettext
    answer = build_answer(checked, request.app.state.ruleset_texts[lang], _)
    return _render(request, lang, "result.html", {
        **context, "answer": answer, "next": next_questions(checked, answers.answered | set(questions.FIRST_QUESTIONS)),
        "pictures": [(loop, loop_picture(loop)) for loop in answer.loops], "client": profile.id,
        "rules_date": checked.result.date.isoformat()})


def _date(raw: str | None, answers: Answers) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        answers.problems["date"] = N_("Write the date as YYYY-MM-DD.")
        return None


def _profile(answers: Answers) -> Profile | None:
    """Server-side validation with the profile model; a refused answer is shown beside its question."""
    try:
        return datafiles.validate(Profile, answers.data, "form", lambda loc: "")
    except InputError as problem:
        field = problem.place.split(".")[0].split("[")[0] if problem.place else "id"
        answers.problems[field if field in questions.QUESTIONS else "id"] = problem.problem
        return None
