from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("requests/", views.clock_requests, name="requests"),
    path("requests/<int:pk>/clocks/", views.request_clocks, name="request_clocks"),
    path("requests/<int:pk>/progress-report/", views.progress_report, name="progress_report"),
    path("requests/<int:pk>/contact/", views.record_contact, name="record_contact"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance.csv", views.compliance_csv, name="compliance_csv"),
]
