from django.urls import path

from . import views

app_name = "rma"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("vendors/", views.vendor_stats, name="vendor_stats"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/sent/", views.notice_sent, name="notice_sent"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/packing-list.pdf", views.packing_list, name="packing_list"),
    path("<int:pk>/signature.png", views.signature, name="signature"),
    path("<int:pk>/return-receipt.pdf", views.return_receipt, name="return_receipt"),
    path("<int:pk>/<str:action>/", views.case_action, name="action"),
]
