from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/action/", views.contract_action, name="action"),
    path("warranty/", views.warranty, name="warranty"),
    path("work-orders/<int:pk>/service-class/", views.service_class, name="service_class"),
]
