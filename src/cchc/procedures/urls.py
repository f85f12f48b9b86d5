"""URLs of the procedures app: the dossier dashboard pages and, from the procedures core, the
import pages (``import_urls``), all in the ``procedures`` namespace."""

from django.urls import include, path

from cchc.procedures import views

app_name = "procedures"

urlpatterns = [
    path("dossiers/", views.dossier_dashboard, name="dashboard"),
    path("dossiers/drilldown/", views.dossier_drilldown, name="drilldown"),
    path("dossiers/index-766/", views.index766_view, name="index766"),
    path("", include("cchc.procedures.import_urls")),
]
