from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("callbacks/", views.callbacks, name="callbacks"),
    path("complaints/", views.complaints, name="complaints"),
]
