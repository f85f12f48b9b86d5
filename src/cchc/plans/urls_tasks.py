"""URLs of the plans app's tasks pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
