from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.return_list, name="list"),
    path("new/", views.return_new, name="new"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/decide/", views.return_decide, name="decide"),
    path("recalls/", views.recall_list, name="recalls"),
    path("recalls/new/", views.recall_new, name="recall_new"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/preview/", views.recall_preview, name="recall_preview"),
    path("recalls/<int:pk>/launch/", views.recall_launch, name="recall_launch"),
    path("recalls/units/<int:pk>/compensate/", views.unit_compensate, name="compensate"),
]
