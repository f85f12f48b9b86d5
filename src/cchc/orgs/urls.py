from django.urls import path

from cchc.orgs import views

app_name = "orgs"
urlpatterns = [
    path("units/search/", views.unit_search, name="unit_search"),
]
