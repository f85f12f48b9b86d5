"""URLs of the plans app's inspections pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
