from django.urls import path

from . import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("intake/", views.intake, name="intake"),
]
