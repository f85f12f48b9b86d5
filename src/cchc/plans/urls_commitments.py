"""URLs of the plans app's commitments pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
