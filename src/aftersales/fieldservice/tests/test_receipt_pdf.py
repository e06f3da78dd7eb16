"""The service receipt card PDF: Chinese renders, user text is escaped, the signature is on it."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from aftersales.core.testing import make_assigned_work_order, make_equipment, make_request
from aftersales.fieldservice import receipt_pdf, services
from aftersales.fieldservice.receipt_pdf import escape, render_receipt
from aftersales.servicedesk import services as desk

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def signature_data_url() -> str:
    import base64

    image = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(40, 150), (120, 40), (200, 160), (300, 50), (420, 150), (560, 70)], fill=(10, 20, 60), width=6)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def photo_upload():
    """A phone-sized photo (2,400 × 1,800): the PDF embeds it scaled down, not megabytes of it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = Image.new("RGB", (2400, 1800), (90, 120, 150))
    ImageDraw.Draw(image).ellipse([600, 400, 1800, 1400], fill=(200, 80, 40))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=92)
    return SimpleUploadedFile("IMG_0001.jpg", buf.getvalue(), content_type="image/jpeg")


def signed_receipt(users, language: str, outcome: str = "fixed"):
    dispatcher, engineer = users["dispatcher"], users["engineer"]
    equipment = make_equipment()
    customer = equipment.customer
    customer.language = language
    customer.save(update_fields=["language"])
    request = make_request(actor=users["agent"], equipment=equipment, summary="冷水机组高压报警",
                           symptom='开机后高压报警 <script>alert("x")</script> & 停机', contact_name="张经理",
                           contact_phone="13800138000")
    desk.request_triage(actor=dispatcher, request=request, severity="urgent")
    wo = make_assigned_work_order(engineer=engineer, dispatcher=dispatcher, request=request)
    services.work_order_accept(actor=engineer, work_order=wo)
    visit = services.visit_arrive(actor=engineer, work_order=wo)
    values = {"diagnosis": "冷凝器结垢严重，换热效率下降", "fault_cause": "冷却水水质差 <b>未处理</b>",
              "actions_taken": "化学清洗冷凝器；更换密封圈\n复测运行压力正常", "outcome": outcome}
    if outcome == "taken_back":
        values.update(takeback_item="控制主板", takeback_serial="CB-2024-0098", takeback_condition="外观完好，无附件")
    services.visit_record(actor=engineer, visit=visit, values=values,
                          parts=[{"description": "密封圈 O-ring 50mm", "quantity": 2, "unit": "个"},
                                 {"description": "冷媒 R134a", "quantity": "1.5", "unit": "kg"}])
    services.visit_add_photo(actor=engineer, visit=visit, upload=photo_upload(), caption="冷凝器铜管结垢 <清洗前>")
    services.visit_depart(actor=engineer, visit=visit)
    return services.receipt_sign(actor=engineer, visit=visit, signer_name="张经理",
                                 signature_data_url=signature_data_url(), customer_comment="服务及时 & 专业")


def rasterise(pdf: bytes, name: str) -> tuple[Image.Image, str]:
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / name)
    return image, text


def ink_ratio(image: Image.Image) -> float:
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200])
    return dark / (grey.width * grey.height)


def test_escape_keeps_markup_out():
    assert escape('<script>a & "b"</script>\nx') == '&lt;script&gt;a &amp; "b"&lt;/script&gt;<br/>x'


@pytest.mark.django_db
def test_chinese_receipt_renders_with_cjk_font(users):
    receipt = signed_receipt(users, "zh-hans", outcome="taken_back")
    pdf = render_receipt(receipt)
    assert pdf.startswith(b"%PDF")
    image, text = rasterise(pdf, "receipt-zh.png")
    assert ink_ratio(image) > 0.01, "page 1 is blank"
    assert "张经理" in text
    with translation.override("zh-hans"):
        title = translation.gettext("Service receipt card")
    assert title in text  # the Chinese title once the catalogue is compiled
    assert "<script>" in text  # shown literally, not parsed as markup
    assert "控制主板" in text
    assert receipt.number in text


@pytest.mark.django_db
def test_english_receipt(users):
    receipt = signed_receipt(users, "en")
    image, text = rasterise(render_receipt(receipt), "receipt-en.png")
    assert ink_ratio(image) > 0.01
    assert "Service receipt card" in text
    assert "张经理" in text


@pytest.mark.django_db
def test_falls_back_to_cid_font_when_no_font_file(users, settings, monkeypatch, caplog):
    settings.AFTERSALES_PDF_FONT = "/nonexistent/font.ttc"
    monkeypatch.setattr(receipt_pdf, "DEFAULT_FONT_PATHS", ())
    monkeypatch.setattr(receipt_pdf, "_font", None)
    receipt = signed_receipt(users, "zh-hans")
    assert render_receipt(receipt).startswith(b"%PDF")
    assert receipt_pdf._font == receipt_pdf.FALLBACK_FONT
    assert "No CJK TrueType font" in caplog.text
    monkeypatch.setattr(receipt_pdf, "_font", None)


@pytest.mark.django_db
def test_missing_signature_file_still_renders(users):
    from django.core.files.storage import default_storage

    receipt = signed_receipt(users, "zh-hans")
    default_storage.delete(receipt.signature.name)
    assert render_receipt(receipt).startswith(b"%PDF")


@pytest.mark.django_db
def test_receipt_shows_the_photos_and_the_warranty_of_the_visit_day(users):
    import datetime as dt

    from django.utils import timezone

    from aftersales.fieldservice.models import Visit

    receipt = signed_receipt(users, "en")
    unit = receipt.visit.work_order.request.equipment
    # The visit was ten days ago, when the unit was still in warranty; it ran out five days ago.
    Visit.objects.filter(pk=receipt.visit_id).update(arrived_at=timezone.now() - dt.timedelta(days=10))
    unit.warranty_end = timezone.localdate() - dt.timedelta(days=5)
    unit.save(update_fields=["warranty_end"])
    receipt.visit.refresh_from_db()
    pdf = render_receipt(receipt)
    image, text = rasterise(pdf, "receipt-photos.png")
    assert "Photos" in text and "冷凝器铜管结垢 <清洗前>" in text
    assert "In warranty" in text and "Expired" not in text
    assert len(pdf) < 400_000, "the photo is embedded scaled down"
    pages = pdfium.PdfDocument(pdf)
    images = [obj for page in pages for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE])]
    assert len(images) >= 2  # the photo and the signature


@pytest.mark.django_db
def test_a_symptom_longer_than_a_page_continues_on_the_next(users):
    """The API takes 20,000 characters of symptom; the receipt must still render (a row may split)."""
    receipt = signed_receipt(users, "zh-hans")
    request = receipt.visit.work_order.request
    request.symptom = "压缩机启动后高压报警，" * 1800
    request.save(update_fields=["symptom"])
    pdf = render_receipt(receipt)
    assert len(pdfium.PdfDocument(pdf)) >= 3
