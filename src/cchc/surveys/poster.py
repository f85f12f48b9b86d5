"""Printable PDFs of a survey campaign: the A4 poster of a unit (a big QR code of its public
link) and the sheet of one-time invitation tokens. Rendered by WeasyPrint from templates; the
QR codes are segno SVG data URIs, so the PDF needs no network and no temporary file."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string


def qr_data_uri(url: str, scale: int = 10) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2)


def _pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy import (0.5 s): only when a PDF is asked for

    return HTML(string=html, base_url=base_url).write_pdf()


def poster_pdf(*, unit_name: str, campaign_name: str, period, url: str, base_url: str) -> bytes:
    """An A4 poster: the unit, the campaign, a QR code of ``url`` and ``url`` in text."""
    html = render_to_string(
        "surveys/poster.html",
        {
            "unit_name": unit_name,
            "campaign_name": campaign_name,
            "period": period,
            "url": url,
            "qr": qr_data_uri(url, scale=12),
        },
    )
    return _pdf(html, base_url)


def invitation_sheet_pdf(
    *, unit_name: str, campaign_name: str, period, items: list[dict], base_url: str
) -> bytes:
    """A4 pages of cut-out cards, one per invitation: ``items`` are ``{token, url}``."""
    cards = [{**item, "qr": qr_data_uri(item["url"], scale=4)} for item in items]
    html = render_to_string(
        "surveys/invitation_sheet.html",
        {"unit_name": unit_name, "campaign_name": campaign_name, "period": period, "cards": cards},
    )
    return _pdf(html, base_url)
