from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/customers/", views.complaint_customer_search, name="complaint_customer_search"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/action/", views.complaint_action, name="complaint_action"),
]
