"""QR codes for links a person opens on a phone (Telegram's deep link, the registration form)."""

from __future__ import annotations

import segno


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code for a phone's camera (segno; drawn by the server, so the page
    loads no image from anywhere)."""
    return str(
        segno.make(link, error="m").svg_inline(scale=4, border=2, title="QR", dark="#1f1633", light="#ffffff")
    )
