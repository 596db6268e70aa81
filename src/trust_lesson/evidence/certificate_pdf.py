"""The printable face of a certificate: a PDF a person reads, with a QR code of its address.

The PDF is a rendering, not the evidence: the signed JSON is what `trust-lesson verify` and the
verify page check. The QR code carries the credential's address (the school's verify page
for this credential id), so whoever holds the paper can find the credential and its revocation
state. Names are set in Noto Sans (shipped by the `fontpkg-noto-sans` package), which covers
the accents of names such as Zoë Łukasiewicz-Dvořák; the PDF base fonts stop at Latin-1.
"""

import io
from collections.abc import Iterable
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import fontpkg_noto_sans
import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table

FONT = "NotoSans"
QR_SIZE = 38 * mm


@cache
def _font() -> str:
    """Registers Noto Sans once per process (never at import time)."""
    path = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(path)))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=26, spaceAfter=8),
        "name": ParagraphStyle("name", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=11, textColor=colors.grey
        ),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10),
    }


def qr_png(address: str) -> bytes:
    """The address as a QR code picture (error correction M, a quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make_qr(address, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def render_pdf(credential: dict[str, Any], *, address: str) -> bytes:
    """The certificate (lesson or term) as an A4 PDF; its QR code leads to `address`."""
    styles = _styles()
    subject = credential["credentialSubject"]
    story: list[Flowable] = [
        Paragraph("Certificate of attendance", styles["title"]),
        Paragraph(escape(subject["name"]), styles["name"]),
    ]
    if "term" in subject:
        story += _term_part(subject, styles)
    else:
        story += _lesson_part(subject, styles)
    story += [Spacer(1, 6 * mm), _qr_and_address(credential, address, styles)]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=18 * mm, bottomMargin=18 * mm,
        title=f"Certificate of attendance: {subject['name']}", author=credential["issuer"]["name"],
    )  # fmt: skip
    document.build(story)
    return out.getvalue()


def _lesson_part(subject: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    lesson, attendance = subject["lesson"], subject["attendance"]
    lines = [
        f"{lesson['course']}: {lesson['title']}",
        f"Lesson of {lesson['start']}, {lesson['minutes']} minutes",
        f"Attendance: {attendance['outcome']} "
        f"({attendance['checksVerified']} of {attendance['checksTotal']} checks verified), "
        f"decided {attendance['decidedAt']}",
    ]
    rows = [["Check", "Asked", "Answered", "Verdict", "Picture SHA-256"]] + [
        [
            check["kind"],
            check["askedAt"],
            check["answeredAt"] or "-",
            (check["verdict"] or check["status"]) + (" (reviewed)" if check["reviewed"] else ""),
            check["pictureSha256"] or "-",
        ]
        for check in subject["checks"]
    ]
    widths = [18 * mm, 34 * mm, 34 * mm, 28 * mm, 60 * mm]
    return [*_paragraphs(lines, styles["body"]), Spacer(1, 4 * mm), _table(rows, widths, styles)]


def _term_part(subject: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    term, summary = subject["term"], subject["summary"]
    dates = f" ({term['start']} to {term['end']})" if term["start"] and term["end"] else ""
    lines = [
        f"{term['course']}, term {term['number']}{dates}",
        f"{summary['lessons']} lessons decided: {summary['attended']} attended, "
        f"{summary['partial']} partial, {summary['absent']} absent, "
        f"{summary['pendingReview']} awaiting review",
    ]
    rows = [["Lesson", "Start", "Attendance", "Checks verified"]] + [
        [
            lesson["title"],
            lesson["start"],
            lesson["attendance"]["outcome"],
            f"{lesson['attendance']['checksVerified']} of {lesson['attendance']['checksTotal']}",
        ]
        for lesson in subject["lessons"]
    ]
    widths = [74 * mm, 40 * mm, 30 * mm, 30 * mm]
    return [*_paragraphs(lines, styles["body"]), Spacer(1, 4 * mm), _table(rows, widths, styles)]


def _paragraphs(lines: Iterable[str], style: ParagraphStyle) -> list[Flowable]:
    """Lines of plain text: whatever a name or title holds is escaped, never markup."""
    return [Paragraph(escape(line), style) for line in lines]


def _table(rows: list[list[str]], widths: list[float], styles: dict[str, ParagraphStyle]) -> Table:
    cells = [[Paragraph(escape(str(cell)), styles["cell"]) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        [
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
        ]
    )
    return table


def _qr_and_address(
    credential: dict[str, Any], address: str, styles: dict[str, ParagraphStyle]
) -> Table:
    proof, evidence = credential["proof"], credential["evidence"]
    positions = ", ".join(str(item["leafIndex"]) for item in evidence)
    text = [
        f"Issued by {credential['issuer']['name']} on {credential['validFrom']}.",
        f"Credential {credential['id']}, signed with key {proof['verificationMethod']}"
        f" ({proof['cryptosuite']}); in the evidence log of {evidence[0]['treeSize']} entries"
        f" at {positions}.",
        "This page is a rendering. The signed JSON file is the certificate: check it with the "
        "school's public keys (trust-lesson verify CERTIFICATE.json --keys keys.json) or on "
        f"the school's verify page: {address}",
    ]
    picture = Image(io.BytesIO(qr_png(address)), width=QR_SIZE, height=QR_SIZE)
    table = Table(
        [[picture, _paragraphs(text, styles["small"])]],
        colWidths=[QR_SIZE + 4 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    return table
