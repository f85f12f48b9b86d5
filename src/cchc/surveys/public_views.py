"""Public answering: anonymous, one section per screen, works without JavaScript.

Three entry points share one flow: the open link of a unit (``/s/<public_key>/``), the kiosk of
its one-stop desk (``/s/<public_key>/kiosk/``) and a one-time invitation (``/s/i/<token>/``).
The partial answers live server-side in the session, keyed by the entry point, so a dropped
connection resumes at the last screen. The first screen issues a signed token bound to the
campaign unit; the final submit stores its nonce as the response's ``client_token`` (unique), so a
replayed submit is refused politely and never makes a second row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from cchc.surveys import forms, ratelimit, services, tokens
from cchc.surveys.models import CampaignUnit, Invitation, QuestionType, Response, ResponseChannel

HONEYPOT = "website"
KIOSK_IDLE_SECONDS = 90
KIOSK_THANKS_SECONDS = 8


@dataclass
class Entry:
    """Which door the respondent came through."""

    cu: CampaignUnit
    channel: str
    session_key: str
    url: str
    thanks_url: str
    invitation: Invitation | None = None

    @property
    def kiosk(self) -> bool:
        return self.channel == ResponseChannel.KIOSK


def _campaign_unit(public_key: str) -> CampaignUnit:
    cu = (
        CampaignUnit.objects.select_related("campaign", "campaign__questionnaire", "unit")
        .filter(public_key=public_key)
        .first()
    )
    if cu is None:
        raise Http404
    return cu


def _channel_allowed(cu: CampaignUnit, channel: str) -> bool:
    channels = cu.campaign.channels or []
    return not channels or channel in channels


def _closed(request, cu: CampaignUnit, reason: str = "closed"):
    """The campaign takes no form: closed, not started yet (``starts_on``) or ended (``ends_on``)."""
    return render(request, "surveys/public/closed.html", {"cu": cu, "reason": reason}, status=410)


def _not_accepting(request, cu: CampaignUnit):
    """The page to show when the campaign takes no online form today, else None."""
    try:
        services.accepting(cu.campaign)
    except services.CampaignNotStarted:
        return _closed(request, cu, "not_started")
    except services.CampaignEnded:
        return _closed(request, cu, "ended")
    except services.CampaignClosed:
        return _closed(request, cu)
    return None


def _refused(request, entry: Entry, message: str, status: int = 200):
    return render(
        request,
        "surveys/public/refused.html",
        {"cu": entry.cu, "message": message, **_kiosk_context(entry)},
        status=status,
    )


def _kiosk_context(entry: Entry) -> dict:
    if not entry.kiosk:
        return {}
    return {
        "kiosk": True,
        "kiosk_idle_seconds": KIOSK_IDLE_SECONDS,
        "kiosk_reset_url": entry.url + "?new=1",
    }


# --- entry points ------------------------------------------------------------------------------


@never_cache
def answer_open(request, public_key: str):
    cu = _campaign_unit(public_key)
    if not cu.campaign.public or not _channel_allowed(cu, ResponseChannel.WEB):
        raise Http404
    url = reverse("surveys:public", args=[public_key])
    entry = Entry(
        cu, ResponseChannel.WEB, f"sv:w:{cu.pk}", url, reverse("surveys:public_thanks", args=[public_key])
    )
    return _flow(request, entry)


@never_cache
def answer_kiosk(request, public_key: str):
    cu = _campaign_unit(public_key)
    # The kiosk answers without an invitation, like the open link: both need it switched on.
    if not cu.campaign.public or not _channel_allowed(cu, ResponseChannel.KIOSK):
        raise Http404
    url = reverse("surveys:kiosk", args=[public_key])
    entry = Entry(
        cu, ResponseChannel.KIOSK, f"sv:k:{cu.pk}", url, reverse("surveys:kiosk_thanks", args=[public_key])
    )
    if request.method == "GET" and request.GET.get("new"):
        # The desk's idle timer and the thank-you page come back here: a fresh form, a fresh token.
        request.session.pop(entry.session_key, None)
        return redirect(url)
    return _flow(request, entry)


@never_cache
def answer_invitation(request, token: str):
    invitation = (
        Invitation.objects.select_related(
            "campaign_unit",
            "campaign_unit__campaign",
            "campaign_unit__campaign__questionnaire",
            "campaign_unit__unit",
        )
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise Http404
    cu = invitation.campaign_unit
    url = reverse("surveys:invitation", args=[token])
    entry = Entry(
        cu,
        ResponseChannel.INVITATION,
        f"sv:i:{invitation.pk}",
        url,
        reverse("surveys:invitation_thanks", args=[token]),
        invitation=invitation,
    )
    if invitation.used_at is not None:
        return _refused(request, entry, _("Mã mời này đã được dùng: phiếu đã được ghi nhận. Xin cảm ơn!"))
    return _flow(request, entry)


@never_cache
def thanks(request, public_key: str | None = None, token: str | None = None, kiosk: bool = False):
    if token is not None:
        invitation = Invitation.objects.select_related(
            "campaign_unit__unit", "campaign_unit__campaign"
        ).filter(token=token)
        cu = invitation.first().campaign_unit if invitation.exists() else None
    else:
        cu = CampaignUnit.objects.select_related("unit", "campaign").filter(public_key=public_key).first()
    if cu is None:
        raise Http404
    context = {"cu": cu}
    if kiosk:
        context.update(
            kiosk=True,
            kiosk_idle_seconds=KIOSK_THANKS_SECONDS + 5,
            kiosk_reset_url=reverse("surveys:kiosk", args=[public_key]) + "?new=1",
            refresh_seconds=KIOSK_THANKS_SECONDS,
        )
    return render(request, "surveys/public/thanks.html", context)


# --- the flow ----------------------------------------------------------------------------------


def _new_state(cu: CampaignUnit) -> dict:
    return {"t": tokens.issue(cu.pk), "a": {}, "s": 0, "t0": int(time.time())}


def _current(screens, answers: dict, wanted: int) -> int:
    """The shown screen at or after ``wanted`` (skip logic may hide whole sections)."""
    wanted = max(0, min(wanted, len(screens) - 1))
    for i in range(wanted, len(screens)):
        if forms.screen_is_shown(screens[i], answers):
            return i
    for i in range(wanted, -1, -1):
        if forms.screen_is_shown(screens[i], answers):
            return i
    return 0


def _next_shown(screens, answers: dict, after: int) -> int | None:
    for i in range(after + 1, len(screens)):
        if forms.screen_is_shown(screens[i], answers):
            return i
    return None


def _previous_shown(screens, answers: dict, before: int) -> int:
    for i in range(before - 1, -1, -1):
        if forms.screen_is_shown(screens[i], answers):
            return i
    return before


def _render_screen(request, entry: Entry, screens, state: dict, *, errors=None, values=None, status=200):
    index = _current(screens, state["a"], state["s"])
    screen = screens[index]
    shown = [i for i, s in enumerate(screens) if forms.screen_is_shown(s, state["a"])] or [index]
    answers = {**state["a"], **(values or {})}
    questions = forms.visible_questions(screen, state["a"])
    is_last = _next_shown(screens, state["a"], index) is None
    context = {
        "cu": entry.cu,
        "campaign": entry.cu.campaign,
        "screen": screen,
        "rows": forms.field_rows(questions, answers, errors or {}),
        "errors": errors or {},
        "step": index,
        "position": index + 1,
        "total": len(screens),
        "shown_count": len(shown),
        "is_first": index == shown[0],
        "is_last": is_last,
        "token": state["t"],
        "action_url": entry.url,
        "honeypot": HONEYPOT,
        **_kiosk_context(entry),
    }
    return render(request, "surveys/public/screen.html", context, status=status)


def _flow(request, entry: Entry):
    cu = entry.cu
    refused = _not_accepting(request, cu)
    if refused is not None:
        return refused
    screens = forms.build_screens(cu.campaign.questionnaire)
    if not screens:
        return _closed(request, cu)
    state = request.session.get(entry.session_key)

    if request.method != "POST":
        if state is None:
            # Not stored: a GET (a crawler, a link preview, a QR code scanned and left) creates no
            # session row; the token rides in the form and the first POST stores the state.
            state = _new_state(cu)
        return _render_screen(request, entry, screens, state)

    if request.POST.get(HONEYPOT, "").strip():
        # A bot filled the field humans never see: an accepted-looking page, nothing stored.
        request.session.pop(entry.session_key, None)
        return redirect(entry.thanks_url)

    token = request.POST.get("token", "")
    try:
        nonce = tokens.nonce_of(token, cu.pk)
    except tokens.BadToken:
        request.session.pop(entry.session_key, None)
        return _refused(
            request,
            entry,
            _("Phiên trả lời không hợp lệ hoặc đã hết hạn. Vui lòng mở lại đường dẫn khảo sát."),
            400,
        )
    if Response.objects.filter(client_token=nonce).exists():
        request.session.pop(entry.session_key, None)
        return _refused(request, entry, _("Phiếu này đã được ghi nhận. Xin cảm ơn!"))
    if state is None or state.get("t") != token:
        # The first POST (the GET stored nothing), or the session was lost (cookie cleared,
        # another device): carry on with the posted token, timed from when it was issued.
        state = {"t": token, "a": {}, "s": 0, "t0": tokens.issued_at(token) or int(time.time())}

    try:
        step = int(request.POST.get("step", state["s"]))
    except ValueError:
        step = state["s"]
    step = _current(screens, state["a"], step)
    state["s"] = step
    screen = screens[step]
    questions = forms.visible_questions(screen, state["a"])
    values, errors = forms.parse_screen(questions, request.POST)
    codes = {q.code for q in questions}
    answers = {k: v for k, v in state["a"].items() if k not in codes}

    if request.POST.get("action") == "back":
        answers.update(values)
        state["a"] = forms.prune(screens, answers)
        state["s"] = _previous_shown(screens, state["a"], step)
        request.session[entry.session_key] = state
        return redirect(entry.url)

    errors.update(
        {k: v for k, v in forms.required_errors(questions, values, answers).items() if k not in errors}
    )
    if errors:
        request.session[entry.session_key] = state
        # A rejected number or text is shown again as typed, so the person can correct it.
        typed = {
            q.code: request.POST.get(f"q_{q.code}", "").strip()
            for q in questions
            if q.code in errors and q.type in (QuestionType.NUMBER, QuestionType.INTEGER, QuestionType.TEXT)
        }
        return _render_screen(request, entry, screens, state, errors=errors, values={**values, **typed})

    answers.update(values)
    state["a"] = forms.prune(screens, answers)
    following = _next_shown(screens, state["a"], step)
    if following is not None:
        state["s"] = following
        request.session[entry.session_key] = state
        return redirect(entry.url)

    missing = forms.first_incomplete(screens, state["a"])
    if missing is not None:
        # Answers of an earlier screen were lost with the session: ask them again.
        state["s"] = missing
        request.session[entry.session_key] = state
        return redirect(entry.url)
    return _submit(request, entry, screens, state, nonce)


def _submit(request, entry: Entry, screens, state: dict, nonce: str):
    cu = entry.cu
    ip = ratelimit.client_ip(request)
    verdict = ratelimit.check(ip, str(cu.pk))
    if not verdict.allowed:
        request.session[entry.session_key] = state
        response = render(
            request,
            "surveys/public/rate_limited.html",
            {"cu": cu, "retry_minutes": max(1, verdict.retry_after // 60), **_kiosk_context(entry)},
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        services.submit_response(
            cu,
            state["a"],
            channel=entry.channel,
            client_token=nonce,
            invitation=entry.invitation,
            ip_hash=ratelimit.ip_hash(ip),
            duration_seconds=max(0, int(time.time()) - int(state.get("t0") or time.time())),
        )
    except services.AlreadyAnswered:
        request.session.pop(entry.session_key, None)
        return _refused(request, entry, _("Mã mời này đã được dùng: phiếu đã được ghi nhận. Xin cảm ơn!"))
    except services.CampaignClosed:
        request.session.pop(entry.session_key, None)
        return _not_accepting(request, cu) or _closed(request, cu)
    except services.TooFewAnswers as exc:
        # An empty form (or one answered "không áp dụng" throughout) would not count: ask again.
        state["s"] = 0
        request.session[entry.session_key] = state
        first = screens[_current(screens, state["a"], 0)]
        message = ngettext(
            "Phiếu cần ít nhất %(n)s câu trả lời đánh giá (mức 1–5) để được ghi nhận.",
            "Phiếu cần ít nhất %(n)s câu trả lời đánh giá (mức 1–5) để được ghi nhận.",
            exc.minimum,
        ) % {"n": exc.minimum}
        errors = {q.code: message for q in forms.visible_questions(first, state["a"])[:1]}
        return _render_screen(request, entry, screens, state, errors=errors, status=400)
    except services.InvalidAnswers as exc:
        # The questionnaire changed under the respondent, or a crafted post: show the first screen
        # holding a rejected answer with the reasons.
        codes = set(exc.errors)
        for i, screen in enumerate(screens):
            if codes & {q.code for q in screen.questions}:
                state["s"] = i
                break
        state["a"] = {k: v for k, v in state["a"].items() if k not in codes}
        request.session[entry.session_key] = state
        errors = {code: _("Câu trả lời không hợp lệ, vui lòng trả lời lại.") for code in codes}
        return _render_screen(request, entry, screens, state, errors=errors, status=400)
    ratelimit.record(ip, str(cu.pk))
    request.session.pop(entry.session_key, None)
    return redirect(entry.thanks_url)
