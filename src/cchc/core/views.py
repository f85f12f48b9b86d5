"""Log-in (locked out by django-axes), log-out, the home page that sends each role to its work."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


class LoginView(auth_views.LoginView):
    """Django's log-in; failures are counted and locked out by django-axes (cchc.core.lockout)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    from cchc.assessments.services import waiting_for

    return render(request, "core/home.html", {"waiting": waiting_for(request.user)})
