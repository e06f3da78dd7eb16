"""The service receipt card (技术服务回执卡) as a PDF, in the customer's language, with the signature image.

Chinese needs a font with CJK glyphs: the TrueType collection in `settings.AFTERSALES_PDF_FONT` or WenQuanYi
Micro Hei (Debian package fonts-wqy-microhei, installed by `make run`); without either, reportlab's built-in
STSong-Light CID font is used (viewers substitute it) and a warning is logged.
Every text typed by people is escaped before it reaches reportlab's Paragraph markup parser.
"""

from __future__ import annotations

import io
import logging
import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aftersales.customers.choices import WarrantyStatus

from .choices import VisitOutcome
from .models import ServiceReceipt

log = logging.getLogger(__name__)

DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
FONT_NAME = "AftersalesCJK"
FALLBACK_FONT = "STSong-Light"
DEFAULT_CUSTOMER_TZ = "Asia/Shanghai"

_font: str | None = None


def pdf_font() -> str:
    """Register the CJK font once per process and return its name."""
    global _font
    if _font is not None:
        return _font
    candidates = [p for p in (getattr(settings, "AFTERSALES_PDF_FONT", ""), *DEFAULT_FONT_PATHS) if p]
    for path in candidates:
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
        except Exception:  # noqa: BLE001 - a broken or unsupported font file: try the next one
            log.warning("Could not load PDF font %s", path, exc_info=True)
            continue
        _font = FONT_NAME
        return _font
    log.warning("No CJK TrueType font found (tried %s); receipts use the %s CID font. "
                "Install fonts-wqy-microhei or set AFTERSALES_PDF_FONT.", ", ".join(candidates), FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    _font = FALLBACK_FONT
    return _font


def escape(text: Any) -> str:
    """Make user text safe for Paragraph markup: escape &, <, > and keep line breaks."""
    value = "" if text is None else str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r\n", "\n").replace("\n", "<br/>")


def _styles(font: str, cjk: bool) -> dict[str, ParagraphStyle]:
    wrap = "CJK" if cjk else None
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap=wrap)
    return {
        "base": base,
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#4a5663")),
        "company": ParagraphStyle("company", parent=base, fontSize=11, leading=15, alignment=TA_CENTER,
                                  textColor=colors.HexColor("#12263f")),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=TA_CENTER,
                                spaceAfter=2 * mm),
        "section": ParagraphStyle("section", parent=base, fontSize=11, leading=15, spaceBefore=3 * mm,
                                  spaceAfter=1.5 * mm, textColor=colors.HexColor("#0b5cad")),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#66727f")),
    }


def _when(value: Any, tz: zoneinfo.ZoneInfo) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M") if value else "—"


def _customer_tz(customer: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(customer, "time_zone", "") or DEFAULT_CUSTOMER_TZ)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_CUSTOMER_TZ)


def _company(engineer: Any) -> tuple[str, str]:
    name = getattr(settings, "AFTERSALES_COMPANY_NAME", "")
    center = getattr(engineer, "service_center", None) if getattr(engineer, "service_center_id", None) else None
    if center is not None:
        return name or center.name, center.phone
    return name or _("After-sales service"), ""


def _grid(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
    # splitInRow: a row taller than a page (a long symptom typed by the customer) continues on the next page
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9fb2c8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
    else:
        style += [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f6f9")),
                  ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f4f6f9"))] if len(widths) == 4 else [
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f6f9"))]
    table.setStyle(TableStyle(style))
    return table


def _image(name: str, box_w: float, box_h: float, max_px: int | None = None) -> Image | None:
    """A stored image scaled into the box; with `max_px`, re-encoded smaller first (a phone photo is megabytes)."""
    try:
        with default_storage.open(name, "rb") as handle:
            data = io.BytesIO(handle.read())
    except (OSError, ValueError):
        log.warning("Image file %s is missing", name)
        return None
    from PIL import Image as PILImage

    try:
        with PILImage.open(data) as probe:
            width, height = probe.size
            if max_px and max(width, height) > max_px:
                probe.thumbnail((max_px, max_px))
                data = io.BytesIO()
                probe.convert("RGB").save(data, format="JPEG", quality=80)
                width, height = probe.size
    except OSError:
        return None
    data.seek(0)
    scale = min(box_w / max(width, 1), box_h / max(height, 1))
    return Image(data, width=width * scale, height=height * scale)


def _signature_image(signed: Any) -> Image | None:
    """The signature of a receipt (or of anything else signed on screen: an RMA return) in its box."""
    return _image(signed.signature.name, 70 * mm, 30 * mm)


PHOTOS_SHOWN = 6


def _photos(visit: Any, width: float, p: Any, s: dict[str, ParagraphStyle]) -> list[Any]:
    """The visit's photos, three to a row with their captions; the rest are counted."""
    photos = list(visit.photos.order_by("created_at", "id"))
    if not photos:
        return []
    cell_w = width / 3
    caption = ParagraphStyle("caption", parent=s["small"], alignment=TA_CENTER)
    cells = []
    for photo in photos[:PHOTOS_SHOWN]:
        image = _image(photo.file.name, cell_w - 6 * mm, 45 * mm, max_px=900)
        cells.append([image or p(""), Paragraph(escape(photo.caption), caption)])
    rows = [cells[i:i + 3] + [""] * (3 - len(cells[i:i + 3])) for i in range(0, len(cells), 3)]
    table = Table(rows, colWidths=[cell_w] * 3)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm)]))
    story: list[Any] = [Paragraph(escape(_("Photos")), s["section"]), table]
    if len(photos) > PHOTOS_SHOWN:
        story.append(Paragraph(escape(_("%(count)d more photos are kept with the work order.")
                                      % {"count": len(photos) - PHOTOS_SHOWN}), s["small"]))
    return story


def render_receipt(receipt: ServiceReceipt) -> bytes:
    """Render one signed service receipt card to PDF bytes, in `receipt.language`."""
    font = pdf_font()
    language = receipt.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _render(receipt, font, cjk=language.startswith("zh"))


def _render(receipt: ServiceReceipt, font: str, cjk: bool) -> bytes:
    visit = receipt.visit
    work_order = visit.work_order
    request = work_order.request
    customer = request.customer
    tz = _customer_tz(customer)
    s = _styles(font, cjk)

    def p(text: Any, style: str = "base") -> Paragraph:
        return Paragraph(escape(text) if text not in (None, "") else "—", s[style])

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), s["label"])

    company, company_phone = _company(visit.engineer)
    story: list[Any] = [
        Paragraph(escape(company) + (f" · {escape(company_phone)}" if company_phone else ""), s["company"]),
        Paragraph(escape(_("Service receipt card")), s["title"]),
    ]
    width = A4[0] - 30 * mm
    quarter = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    story.append(_grid([
        [lab(_("Receipt number")), p(receipt.number), lab(_("Service request")), p(request.number)],
        [lab(_("Work order")), p(work_order.number), lab(_("Engineer")), p(getattr(visit.engineer, "name", ""))],
    ], quarter))

    story.append(Paragraph(escape(_("Customer and equipment")), s["section"]))
    site = request.site
    equipment = request.equipment
    model = equipment.product_model if equipment else request.product_model
    # As it was on the day of the visit: a receipt printed again later must say what the customer signed.
    visit_day = timezone.localtime(visit.arrived_at, tz).date() if visit.arrived_at else None
    warranty = str(WarrantyStatus(equipment.warranty_status(on=visit_day)).label) if equipment else ""
    story.append(_grid([
        [lab(_("Customer")), p(customer.name), lab(_("Contact")),
         p(" ".join(x for x in (request.contact_name, request.contact_phone) if x))],
        [lab(_("Site")), p(site.name if site else ""), lab(_("Address")), p(site.address if site else "")],
        [lab(_("Model")), p(f"{model.code} {model.name}" if model else ""), lab(_("Serial number")),
         p(equipment.serial if equipment else "")],
        [lab(_("Warranty")), p(warranty), lab(_("Symptom")), p(request.symptom or request.summary)],
    ], quarter))

    story.append(Paragraph(escape(_("Service performed")), s["section"]))
    half = [width * 0.17, width * 0.83]
    story.append(_grid([
        [lab(_("Arrived")), p(_when(visit.arrived_at, tz))],
        [lab(_("Departed")), p(_when(visit.departed_at, tz))],
        [lab(_("Diagnosis")), p(visit.diagnosis)],
        [lab(_("Fault cause")), p(visit.fault_cause)],
        [lab(_("Actions taken")), p(visit.actions_taken)],
        [lab(_("Outcome")), p(visit.get_outcome_display() if visit.outcome else "")],
    ], half))

    if visit.outcome == VisitOutcome.TAKEN_BACK:
        story.append(Paragraph(escape(_("Device taken back")), s["section"]))
        story.append(_grid([
            [lab(_("Item taken back")), p(visit.takeback_item)],
            [lab(_("Serial of item taken back")), p(visit.takeback_serial)],
            [lab(_("Condition and accessories")), p(visit.takeback_condition)],
        ], half))

    story.append(Paragraph(escape(_("Parts used")), s["section"]))
    parts = list(visit.parts.all())
    if parts:
        rows: list[list[Any]] = [[lab("#"), lab(_("Part")), lab(_("Quantity")), lab(_("Unit"))]]
        for i, part in enumerate(parts, 1):
            rows.append([p(str(i)), p(part.description), p(f"{part.quantity.normalize():f}"), p(part.unit)])
        story.append(_grid(rows, [width * 0.08, width * 0.62, width * 0.15, width * 0.15], header=True))
    else:
        story.append(p(_("None")))

    story += _photos(visit, width, p, s)

    story.append(Paragraph(escape(_("Customer confirmation")), s["section"]))
    signature = _signature_image(receipt)
    story.append(_grid([
        [lab(_("Customer comment")), p(receipt.customer_comment)],
        [lab(_("Signed by")), p(receipt.signer_name)],
        [lab(_("Signature")), signature or p("")],
        [lab(_("Signed")), p(_when(receipt.signed_at, tz))],
    ], half))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(_("Times are in %(zone)s.") % {"zone": str(tz)}), s["small"]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{_('Service receipt card')} {receipt.number}",
                            author=company)
    doc.build(story)
    return out.getvalue()
