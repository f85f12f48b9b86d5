from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from cchc import views as site_views
from cchc.api.api import api
from cchc.core import views as core_views

admin.site.site_header = "CCHC"
admin.site.site_title = "CCHC"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("cchc.assessments.urls")),
    path("", include("cchc.orgs.urls")),
    path("", include("cchc.frameworks.urls")),
    path("", include("cchc.procedures.urls")),
    path("", include("cchc.surveys.urls")),
    path("", include("cchc.indicators.urls")),
    path("", include("cchc.plans.urls")),
]
