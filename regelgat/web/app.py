"""The web application: the interview and result pages, the JSON API and its OpenAPI page.

Everything the browser loads comes from this server (templates, styles, scripts and the Swagger UI
files, which ship in the fastapi-offline package), so the page works offline and the content
security policy can forbid every other origin.
"""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from regelgat.rules.ruleset import Ruleset
from regelgat.web import api, pages
from regelgat.web.checker import Checker
from regelgat.rules.translations import load_texts
from regelgat.i18n import LANGUAGES, translations
from regelgat.web.safety import MAX_BODY_BYTES, Safety, TooLarge, too_large

HERE = Path(__file__).parent
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on (a script in a client's name is shown as text) and gettext."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # per request, from the language in the context
        gettext=lambda message: translations(_current_language()).gettext(message),
        ngettext=lambda s, p, n: translations(_current_language()).ngettext(s, p, n), newstyle=True)
    return Jinja2Templates(env=env)


def _current_language() -> str:
    return pages.LANGUAGE.get()


def create_app(rulesets: list[Ruleset], today: dt.date | None = None, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    """Compile the rules once (for `today`) and build the app; more dates compile on first use."""
    checker = Checker(rulesets, today)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        checker.close()

    app = FastAPI(title="regelgat", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Check a client profile against cited, dated rulesets of Dutch social rules.")
    app.state.checker = checker
    app.state.ruleset_texts = {lang: load_texts(rulesets, lang) for lang in LANGUAGES}
    app.state.templates = make_templates()
    app.add_exception_handler(RequestValidationError, api.validation_error)
    app.add_exception_handler(TooLarge, too_large)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request):
        """Swagger UI from local files; its start-up script is a static file, so no inline script."""
        return app.state.templates.TemplateResponse(request, "docs.html", {"lang": "en"})

    app.add_middleware(Safety, max_body=max_body)
    return app
