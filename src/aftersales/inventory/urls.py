"""Spare-parts screens under /parts/."""

from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("", views.part_list, name="parts"),
    path("new/", views.part_create, name="part_create"),
    path("pick/", views.part_picker, name="part_picker"),
    path("<int:pk>/", views.part_detail, name="part"),
    path("<int:pk>/edit/", views.part_edit, name="part_edit"),
    path("locations/", views.location_list, name="locations"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/<int:pk>/", views.location_detail, name="location"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location_edit"),
    path("locations/<int:pk>/reorder/", views.reorder_point_set, name="reorder_point_set"),
    path("moves/", views.move_list, name="moves"),
    path("moves/new/", views.move_create, name="move_create"),
    path("purchases/", views.purchase_list, name="purchases"),
    path("purchases/new/", views.purchase_create, name="purchase_create"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase_detail"),
    path("purchases/<int:pk>/receive/", views.purchase_receive, name="purchase_receive"),
    path("purchases/<int:pk>/<slug:action>/", views.purchase_action, name="purchase_action"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("valuation/", views.valuation, name="valuation"),
    path("valuation.csv", views.valuation_csv, name="valuation_csv"),
]
