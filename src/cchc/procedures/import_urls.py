"""URL patterns of the import pages (owned by the procedures core); included by
``cchc.procedures.urls`` so the names live in the ``procedures`` namespace."""

from django.urls import path

from cchc.procedures import import_views

urlpatterns = [
    path("dossiers/imports/", import_views.import_list, name="import_list"),
    path("dossiers/imports/<int:job_id>/", import_views.import_detail, name="import_detail"),
    path("dossiers/imports/<int:job_id>/progress/", import_views.import_progress, name="import_progress"),
    path("dossiers/imports/<int:job_id>/retry/", import_views.import_retry, name="import_retry"),
]
