"""Security headers on every response: no framing (clickjacking), no MIME sniffing, no full URLs in
the Referer, and a Content-Security-Policy that lets a page run only its own scripts.

The pages under ``channels/web/static`` carry inline ``<script>`` blocks; rather than allow every
inline script (which would let injected markup run), the policy lists the SHA-256 of each one, read
from the files when the app is built. Inline ``style=""`` attributes are allowed (the pages use them;
a style cannot run code). The API docs (/docs, /redoc) load Swagger UI from its CDN with an inline
bootstrap script, so they get a looser script policy — and still no framing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_DOCS_PATHS = ("/docs", "/redoc")
_DOCS_CDN = "https://cdn.jsdelivr.net"


def inline_script_hashes(pages: Path) -> list[str]:
    """The CSP source for each inline script of the static pages, e.g. ``'sha256-…'``."""
    found: set[str] = set()
    for page in sorted(pages.glob("*.html")):
        for script in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8")):
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(script_hashes: list[str]) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src", "'self'", *script_hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {_DOCS_CDN} https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    """Pure ASGI: adds the headers to the response start, unless a route already set its own."""

    def __init__(self, app: ASGIApp, *, pages: Path) -> None:
        self.app = app
        policy = content_security_policy(inline_script_hashes(pages))
        common = [
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        self.headers = [*common, (b"content-security-policy", policy.encode())]
        self.docs_headers = [*common, (b"content-security-policy", DOCS_CONTENT_SECURITY_POLICY.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = self.docs_headers if path.startswith(_DOCS_PATHS) else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
