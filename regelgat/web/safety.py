"""Request-size limit and security headers, as plain ASGI middleware.

A profile is a few kilobytes; anything far larger is refused with 413 before it is read into
memory, whether it announces its length or streams it in chunks.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from regelgat.io.limits import MAX_BODY_BYTES

# Only this server's own files: no CDN, no inline script, no other site may frame the page.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),  # a result page holds personal data: keep it out of caches
]


class TooLarge(HTTPException):
    """Raised while a streamed body is read; the app's handler for it answers 413 (`too_large`)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit // 1024} KB (send one profile at a time)")


def too_large(request, exc: TooLarge) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=413, headers={"connection": "close"})


class Safety:
    """Adds the security headers to every response and answers 413 to oversized bodies."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await self._refuse(send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise TooLarge(self.max_body)
            return message

        async def secured_send(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, limited_receive, secured_send)

    async def _refuse(self, send):
        response = too_large(None, TooLarge(self.max_body))
        response.raw_headers.extend(HEADERS)
        await response({"type": "http"}, None, send)
