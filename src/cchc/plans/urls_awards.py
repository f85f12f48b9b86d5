"""URLs of the plans app's awards pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
