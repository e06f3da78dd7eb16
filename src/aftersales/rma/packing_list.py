"""The packing list (装箱单) that goes in the box to the vendor, as a PDF in the chosen language (the vendor's
usually Chinese), with the fonts and table helpers of the service receipt."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from aftersales.fieldservice.receipt_pdf import _grid, _styles, escape, pdf_font

from .models import RmaCase


def render_packing_list(case: RmaCase, language: str | None = None) -> bytes:
    language = language or settings.LANGUAGE_CODE
    font = pdf_font()
    with translation.override(language):
        return _render(case, font, cjk=language.startswith("zh"))


def _render(case: RmaCase, font: str, cjk: bool) -> bytes:
    s = _styles(font, cjk)

    def p(text: Any, style: str = "base") -> Paragraph:
        return Paragraph(escape(text) if text not in (None, "") else "—", s[style])

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), s["label"])

    company = getattr(settings, "AFTERSALES_COMPANY_NAME", "") or _("After-sales service")
    width = A4[0] - 30 * mm
    quarter = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    half = [width * 0.2, width * 0.8]
    vendor = case.vendor
    model = case.equipment.product_model if case.equipment_id else None
    story: list[Any] = [
        Paragraph(escape(company), s["company"]),
        Paragraph(escape(_("Packing list")), s["title"]),
        _grid([
            [lab(_("RMA number")), p(case.number), lab(_("Kind")), p(case.get_kind_display())],
            [lab(_("Shipped")), p(case.shipped_on.isoformat() if case.shipped_on else ""),
             lab(_("Carrier")), p(case.carrier)],
            [lab(_("Tracking number")), p(case.tracking_number), lab(_("Registered")),
             p(case.created_at.date().isoformat())],
        ], quarter),
        Paragraph(escape(_("Vendor")), s["section"]),
        _grid([
            [lab(_("Vendor")), p(vendor.name if vendor else "")],
            [lab(_("Contact")), p(" ".join(x for x in (vendor.contact_name, vendor.phone) if x) if vendor else "")],
            [lab(_("Address")), p(vendor.address if vendor else "")],
        ], half),
        Paragraph(escape(_("Returned item")), s["section"]),
        _grid([
            [lab("#"), lab(_("Returned item")), lab(_("Model")), lab(_("Serial number")), lab(_("Quantity"))],
            [p("1"), p(case.item_description), p(f"{model.code} {model.name}" if model else ""), p(case.serial),
             p("1")],
        ], [width * 0.06, width * 0.36, width * 0.26, width * 0.22, width * 0.10], header=True),
        Spacer(1, 2 * mm),
        _grid([
            [lab(_("Fault")), p(case.fault)],
            [lab(_("Test result")), p(" ".join(x for x in (case.get_test_result_display(), case.test_notes) if x))],
        ], half),
        Paragraph(escape(_("Parts kept back (not in this box)")), s["section"]),
    ]
    leftovers = list(case.leftovers.select_related("part").filter(released_at__isnull=True))
    if leftovers:
        rows: list[list[Any]] = [[lab("#"), lab(_("Part")), lab(_("Quantity")), lab(_("Label"))]]
        for i, item in enumerate(leftovers, 1):
            name = f"{item.part.number} {item.part.name}" if item.part_id else item.description
            rows.append([p(str(i)), p(name), p(f"{item.quantity.normalize():f}"), p(case.number)])
        story.append(_grid(rows, [width * 0.08, width * 0.57, width * 0.15, width * 0.20], header=True))
    else:
        story.append(p(_("None")))
    story.append(Spacer(1, 8 * mm))
    story.append(_grid([[lab(_("Packed by")), p(""), lab(_("Received by the vendor")), p("")]], quarter))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{_('Packing list')} {case.number}", author=company)
    doc.build(story)
    return out.getvalue()


def render_return_receipt(case: RmaCase, language: str | None = None) -> bytes:
    """The return receipt (返修件交还回执) the customer signed when the item came back, in his language by default."""
    language = language or case.customer.language or settings.LANGUAGE_CODE
    font = pdf_font()
    with translation.override(language):
        return _render_return(case, font, cjk=language.startswith("zh"))


def _render_return(case: RmaCase, font: str, cjk: bool) -> bytes:
    from aftersales.fieldservice.receipt_pdf import _customer_tz, _signature_image, _when

    s = _styles(font, cjk)
    tz = _customer_tz(case.customer)

    def p(text: Any) -> Paragraph:
        return Paragraph(escape(text) if text not in (None, "") else "—", s["base"])

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), s["label"])

    company = getattr(settings, "AFTERSALES_COMPANY_NAME", "") or _("After-sales service")
    width = A4[0] - 30 * mm
    quarter = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    half = [width * 0.2, width * 0.8]
    model = case.equipment.product_model if case.equipment_id else None
    story: list[Any] = [
        Paragraph(escape(company), s["company"]),
        Paragraph(escape(_("Return receipt")), s["title"]),
        _grid([
            [lab(_("RMA number")), p(case.number), lab(_("Kind")), p(case.get_kind_display())],
            [lab(_("Customer")), p(case.customer.name), lab(_("Registered")), p(_when(case.created_at, tz))],
        ], quarter),
        Paragraph(escape(_("Returned item")), s["section"]),
        _grid([
            [lab(_("Returned item")), p(case.item_description)],
            [lab(_("Model")), p(f"{model.code} {model.name}" if model else "")],
            [lab(_("Serial number")), p(case.serial)],
            [lab(_("Fault")), p(case.fault)],
            [lab(_("Vendor's report")), p(case.vendor_report)],
            [lab(_("Retest result")), p(" ".join(x for x in (case.get_retest_result_display(), case.retest_notes)
                                                 if x))],
            [lab(_("Outcome")), p(case.get_state_display())],
        ], half),
    ]
    leftovers = list(case.leftovers.select_related("part").all())
    if leftovers:
        story.append(Paragraph(escape(_("Parts kept back, returned with the item")), s["section"]))
        rows: list[list[Any]] = [[lab("#"), lab(_("Part")), lab(_("Quantity"))]]
        for i, item in enumerate(leftovers, 1):
            name = f"{item.part.number} {item.part.name}" if item.part_id else item.description
            rows.append([p(str(i)), p(name), p(f"{item.quantity.normalize():f}")])
        story.append(_grid(rows, [width * 0.08, width * 0.72, width * 0.20], header=True))
    story.append(Paragraph(escape(_("Customer's confirmation")), s["section"]))
    signature = _signature_image(case) if case.signature else None
    story.append(_grid([
        [lab(_("Signed by")), p(case.signer_name)],
        [lab(_("Signed")), p(_when(case.signed_at, tz) if case.signed_at else "")],
        [lab(_("Signature")), signature or p("")],
    ], half))
    story.append(Spacer(1, 4 * mm))
    story.append(p(_("The customer confirms receiving the item and the parts listed above in the condition "
                     "described.")))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{_('Return receipt')} {case.number}", author=company)
    doc.build(story)
    return out.getvalue()
