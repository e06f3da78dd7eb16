from django.urls import path

from . import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("intake/search/", views.intake_search, name="intake_search"),
    path("intake/pick/", views.intake_pick, name="intake_pick"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/actions/<slug:action>/", views.request_action, name="action"),
    path("<int:pk>/work-orders/new/", views.work_order_create, name="work_order_create"),
]
