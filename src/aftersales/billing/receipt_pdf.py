"""The receipt (收据) of a bill as a PDF in the customer's language: lines, covered lines, total, payment status
and the company's designated accounts. Reuses the CJK font and table helpers of the service receipt card.

The printed total is the bill's stored total, which `billing.services` keeps equal to the sum of its rounded lines;
a test reads the PDF's text back and checks it.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aftersales.core.money import format_money
from aftersales.fieldservice.receipt_pdf import _customer_tz, _grid, _styles, escape, pdf_font

from .choices import BillState, PaymentStatus
from .models import Bill
from .selectors import accounts


def render_bill(bill: Bill) -> bytes:
    """Render one bill's receipt to PDF bytes, in the customer's language."""
    font = pdf_font()
    language = bill.customer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _render(bill, font, cjk=language.startswith("zh"))


def _company_name(bill: Bill) -> str:
    name = getattr(settings, "AFTERSALES_COMPANY_NAME", "")
    if name:
        return name
    engineer = bill.work_order.engineer if bill.work_order_id and bill.work_order.engineer_id else None
    centre = engineer.service_center if engineer is not None and engineer.service_center_id else None
    return centre.name if centre is not None else _("After-sales service")


def _render(bill: Bill, font: str, cjk: bool) -> bytes:
    s = _styles(font, cjk)
    s["right"] = ParagraphStyle("right", parent=s["base"], alignment=TA_RIGHT)
    s["total"] = ParagraphStyle("total", parent=s["base"], fontSize=11, leading=15, alignment=TA_RIGHT)
    tz = _customer_tz(bill.customer)
    cur = bill.currency

    def p(text: Any, style: str = "base") -> Paragraph:
        return Paragraph(escape(text) if text not in (None, "") else "—", s[style])

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), s["label"])

    def day(value: Any) -> str:
        return timezone.localtime(value, tz).strftime("%Y-%m-%d") if value else "—"

    width = A4[0] - 30 * mm
    title = _("Receipt") if bill.state == BillState.ISSUED else _("Draft bill — not valid as a receipt")
    story: list[Any] = [Paragraph(escape(_company_name(bill)), s["company"]), Paragraph(escape(title), s["title"])]
    quarter = [width * 0.17, width * 0.33, width * 0.17, width * 0.33]
    wo = bill.work_order
    story.append(_grid([
        [lab(_("Bill number")), p(bill.number), lab(_("Date")), p(day(bill.issued_at or bill.created_at))],
        [lab(_("Customer")), p(bill.customer.name), lab(_("Work order")), p(wo.number if wo else bill.reference)],
        [lab(_("Service class")), p(_class_label(bill.service_class)), lab(_("Payment")),
         p(bill.get_payment_status_display())],
    ], quarter))

    story.append(Paragraph(escape(_("Charges")), s["section"]))
    rows: list[list[Any]] = [[lab("#"), lab(_("Item")), lab(_("Quantity")), lab(_("Unit price")), lab(_("Amount"))]]
    lines = list(bill.lines.all())
    for i, line in enumerate(lines, 1):
        text = f"{line.get_kind_display()} · {line.description}"
        if line.covered:
            text += f" ({_('covered by the contract')})"
        rows.append([p(str(i)), p(text), p(f"{line.quantity.normalize():f}", "right"),
                     p(format_money(line.unit_price, cur), "right"), p(format_money(line.amount, cur), "right")])
    blank = Paragraph("", s["base"])
    rows.append([blank, Paragraph(escape(_("Total")), s["total"]), blank, blank,
                 Paragraph(escape(format_money(bill.total, cur)), s["total"])])
    table = Table(rows, colWidths=[width * 0.06, width * 0.52, width * 0.1, width * 0.16, width * 0.16], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9fb2c8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f4f6f9")),
        ("SPAN", (1, -1), (3, -1)),
    ]))
    story.append(table)

    story.append(Paragraph(escape(_("Payment")), s["section"]))
    half = [width * 0.25, width * 0.75]
    status = [[lab(_("Payment status")), p(bill.get_payment_status_display())]]
    if bill.payment_status == PaymentStatus.WAIVED:
        status.append([lab(_("Reason for waiving")), p(bill.waive_reason)])
    for payment in bill.payments.all():
        status.append([lab(_("Payment received")), p(
            f"{format_money(payment.amount, payment.currency)} · {payment.get_method_display()} · "
            f"{payment.account.name} · {payment.reference} · {payment.received_on:%Y-%m-%d}")])
    story.append(_grid(status, half))

    designated = [a for a in accounts() if a.show_on_receipt]
    if designated and bill.payment_status == PaymentStatus.UNPAID:
        story.append(Paragraph(escape(_("Pay only into the company's designated accounts")), s["section"]))
        story.append(_grid([[lab(a.get_kind_display()), p(" · ".join(
            x for x in (a.name, a.bank_name, a.account_number, a.holder) if x))] for a in designated], half))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(_("Our engineers do not accept cash. Payments to any other account are not "
                                    "recognised.")), s["small"]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{title} {bill.number}", author=_company_name(bill))
    doc.build(story)
    return out.getvalue()


def _class_label(value: str) -> str:
    from aftersales.contracts.choices import ServiceClass

    return str(ServiceClass(value).label) if value in ServiceClass.values else "—"
