from django.urls import path

from . import audit_views

app_name = "core"
urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("<int:content_type_id>/<int:object_id>/", audit_views.audit_record, name="audit_record"),
    path("<int:content_type_id>/<int:object_id>/verify/", audit_views.audit_verify, name="audit_verify"),
]
