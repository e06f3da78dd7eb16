"""Dispatch and field-work screens under /work/."""

from django.urls import path

from . import views

app_name = "fieldservice"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("my/", views.my_work, name="my"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/field/", views.field, name="field"),
    path("<int:pk>/field/<slug:action>/", views.field_action, name="field_action"),
    path("visits/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("receipts/<int:pk>/signature/", views.signature, name="signature"),
]
