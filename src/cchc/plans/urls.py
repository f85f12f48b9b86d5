"""URLs of the plans app, one module per concern."""

from django.urls import include, path

app_name = "plans"

urlpatterns = [
    path("", include("cchc.plans.urls_tasks")),
    path("", include("cchc.plans.urls_commitments")),
    path("", include("cchc.plans.urls_inspections")),
    path("", include("cchc.plans.urls_awards")),
    path("", include("cchc.plans.urls_reminders")),
]
