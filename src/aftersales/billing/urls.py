"""Billing screens under /billing/: bills, payment, quotes."""

from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.bill_list, name="list"),
    path("<int:pk>/", views.bill_detail, name="detail"),
    path("<int:pk>/receipt.pdf", views.bill_receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/lines/", views.bill_lines, name="lines"),
    path("<int:pk>/issue/", views.bill_issue, name="issue"),
    path("<int:pk>/discard/", views.bill_discard, name="discard"),
    path("<int:pk>/pay/", views.bill_pay, name="pay"),
    path("<int:pk>/waive/", views.bill_waive, name="waive"),
    path("work-orders/<int:pk>/bill/", views.work_order_bill, name="work_order_bill"),
    path("work-orders/<int:pk>/quote/", views.work_order_quote, name="work_order_quote"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("quotes/<int:pk>/lines/", views.quote_lines, name="quote_lines"),
    path("quotes/<int:pk>/approve/", views.quote_approve, name="quote_approve"),
    path("quotes/<int:pk>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("quotes/<int:pk>/signature/", views.quote_signature, name="quote_signature"),
]
