"""Log-in (locked out by django-axes)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's log-in; failures are counted and locked out by django-axes (cchc.core.lockout)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
