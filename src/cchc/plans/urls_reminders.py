"""URLs of the plans app's reminders pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
