from django.urls import path

from cchc.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicators/entry/", views.entry_home, name="entry"),
    path("indicators/entry/<int:unit_id>/<str:period>/", views.entry_sheet, name="sheet"),
    path("indicators/entry/evidence/<int:value_id>/", views.entry_evidence, name="evidence"),
]
