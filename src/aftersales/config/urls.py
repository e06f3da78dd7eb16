from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from aftersales.accounts import views as account_views
from aftersales.reporting import views as reporting_views

from .api import api

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("language/", account_views.set_language, name="set_language"),
    path("healthz", account_views.healthz, name="healthz"),
    path("customers/", include("aftersales.customers.urls")),
    path("requests/", include("aftersales.servicedesk.urls")),
    path("work/", include("aftersales.fieldservice.urls")),
    path("feedback/", include("aftersales.feedback.urls")),
    path("audit/", include("aftersales.core.urls")),
    path("sla/", include("aftersales.sla.urls")),
    path("inbox/", include("aftersales.notifications.urls")),
    path("contracts/", include("aftersales.contracts.urls")),
    path("billing/", include("aftersales.billing.urls")),
    path("parts/", include("aftersales.inventory.urls")),
    path("rma/", include("aftersales.rma.urls")),
    path("returns/", include("aftersales.returns.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
