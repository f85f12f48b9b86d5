"""URLs of “việc của tôi” (the user's reminders)."""

from django.urls import path

from cchc.plans import views_reminders

urlpatterns = [
    path("my-work/", views_reminders.my_work_view, name="my_work"),
    path("my-work/read/", views_reminders.mark_read, name="my_work_read"),
]
