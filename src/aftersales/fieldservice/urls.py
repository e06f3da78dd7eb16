from django.urls import path

from . import views

app_name = "fieldservice"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("my/", views.my_work, name="my"),
]
