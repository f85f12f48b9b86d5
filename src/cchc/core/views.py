"""Log-in (throttled), log-out, the home page that sends each role to its work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from cchc.core import throttle


class ThrottledLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    @classmethod
    def as_view(cls, **initkwargs):
        return sensitive_post_parameters()(csrf_protect(never_cache(super().as_view(**initkwargs))))

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        ip = throttle.client_ip(request)
        if throttle.is_locked(username, ip):
            form = self.get_form()
            form.errors.clear()
            messages.error(request, _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_failure(self.request.POST.get("username", "")[:150], throttle.client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.reset(form.get_user().get_username(), throttle.client_ip(self.request))
        return super().form_valid(form)


HOME_ROUNDS = 10


@login_required
def home(request):
    """What is waiting for the user; for everyone with a role (leaders above all, who act on
    nothing), the results they may see and the dashboards."""
    from cchc.assessments.access import rounds_with_results_for
    from cchc.assessments.services import waiting_for
    from cchc.orgs.access import scope_for

    scope = scope_for(request.user)
    has_role = scope.superuser or any(scope.paths.values())
    rounds = rounds_with_results_for(request.user) if has_role else []
    return render(
        request,
        "core/home.html",
        {
            "waiting": waiting_for(request.user),
            "has_role": has_role,
            "result_rounds": rounds[:HOME_ROUNDS],
            "result_rounds_total": len(rounds),
        },
    )
