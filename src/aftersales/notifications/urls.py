from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.inbox_read_all, name="read_all"),
    path("<int:pk>/read/", views.inbox_read, name="read"),
    path("<int:pk>/open/", views.inbox_open, name="open"),
]
