"""The receipt (收据) PDF: rendered in the customer's language, and its printed total equals the sum of its
printed line amounts (read back from the PDF's text)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from aftersales.billing import services
from aftersales.billing.receipt_pdf import render_bill
from aftersales.core.testing import make_user

from .factories import approve_by_phone, complete, make_account, make_part, make_work_order

pytestmark = pytest.mark.django_db
MONEY = re.compile(r"-?¥[\d,]+\.\d{2}")
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def _text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", ""))


def _bill(language: str):
    wo = make_work_order()
    customer = wo.request.customer
    customer.language = language
    customer.save(update_fields=["language"])
    approve_by_phone(wo)
    complete(wo, minutes=130, catalogue=[(make_part(price="1234.56"), Decimal("3")), (make_part("P-2", "0.35"), 7)],
             parts=[{"description": "非标铜管", "quantity": "1.5", "unit": "m"}])
    agent = make_user("agent")
    bill = services.bill_for_work_order(actor=agent, work_order=wo)
    lines = [{"kind": r.kind, "description": r.description, "quantity": r.quantity, "unit_price": r.unit_price,
              "part": r.part, "covered": r.kind == "travel"} for r in bill.lines.all()]
    for line in lines:
        if line["description"] == "非标铜管":
            line["unit_price"] = Decimal("33.33")  # the hand-typed part's price
    services.bill_lines_replace(actor=agent, bill=bill, lines=lines)
    services.bill_issue(actor=agent, bill=bill)
    make_account("bank")
    make_account("qr")
    return bill


def _words(language: str, *msgids: str) -> list[str]:
    from django.utils import translation

    with translation.override(language):
        return [translation.gettext(m) for m in msgids]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_receipt_total_equals_the_sum_of_its_lines(language):
    words = _words(language, "Receipt", "Total", "Unpaid", "Customer")
    bill = _bill(language)
    pdf = render_bill(bill)
    text = _text(pdf)
    for word in words:
        assert word in text, word
    amounts = [_amount(m) for m in MONEY.findall(text.split(words[1])[0])]  # the table, before the total row
    printed_total = _amount(MONEY.findall(text.split(words[1], 1)[1])[0])
    line_amounts = amounts[-2 * bill.lines.count():][1::2]  # each row prints unit price, then amount
    assert line_amounts == [line.amount for line in bill.lines.all()]
    assert printed_total == sum(line_amounts) == bill.total
    assert "¥0.00" in text  # the covered travel line
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"billing-receipt-{language}.pdf").write_bytes(pdf)
    _rasterise(pdf, ARTIFACTS / f"billing-receipt-{language}.png")


def test_paid_receipt_shows_the_payment():
    bill = _bill("zh-hans")
    account = make_account("pos")
    services.bill_pay(actor=make_user("finance"), bill=bill, account=account, method="pos", amount=bill.total,
                      reference="POS-凭证 000123", received_on=timezone.localdate())
    bill.refresh_from_db()
    text = _text(render_bill(bill))
    assert _words("zh-hans", "Paid")[0] in text and "POS-凭证 000123" in text


def _rasterise(pdf: bytes, path: Path) -> None:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    page.render(scale=1.4).to_pil().save(path)


def test_the_timeline_names_payment_states_in_words():
    from aftersales.core.audit import timeline
    from aftersales.core.templatetags.aftersales import audit_summary

    bill = _bill("zh-hans")
    services.bill_pay(actor=make_user("finance"), bill=bill, account=make_account("pos"), method="pos",
                      amount=bill.total, reference="POS-1", received_on=timezone.localdate())
    summaries = [audit_summary(entry) for entry in timeline(bill)]
    assert any(s.endswith("Unpaid → Paid") for s in summaries), summaries
