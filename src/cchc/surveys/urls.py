from django.urls import path

from cchc.surveys import campaign_views, public_views, published_views, result_views

app_name = "surveys"
urlpatterns = [
    # Public answering (anonymous).
    path("s/i/<str:token>/", public_views.answer_invitation, name="invitation"),
    path("s/i/<str:token>/cam-on/", public_views.thanks, name="invitation_thanks"),
    path("s/<slug:public_key>/", public_views.answer_open, name="public"),
    path("s/<slug:public_key>/cam-on/", public_views.thanks, name="public_thanks"),
    path("s/<slug:public_key>/kiosk/", public_views.answer_kiosk, name="kiosk"),
    path("s/<slug:public_key>/kiosk/cam-on/", public_views.thanks, {"kiosk": True}, name="kiosk_thanks"),
    # Secretariat, leaders and units (login required).
    path("surveys/", campaign_views.campaigns, name="campaigns"),
    path("surveys/campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("surveys/campaigns/<int:campaign_id>/", campaign_views.progress, name="progress"),
    path("surveys/campaigns/<int:campaign_id>/responses/", campaign_views.responses, name="responses"),
    path(
        "surveys/responses/<int:response_id>/exclude/",
        campaign_views.response_exclude,
        name="response_exclude",
    ),
    path(
        "surveys/responses/<int:response_id>/restore/",
        campaign_views.response_restore,
        name="response_restore",
    ),
    path("surveys/campaigns/<int:campaign_id>/results/", result_views.results, name="results"),
    path("surveys/campaigns/<int:campaign_id>/texts/", result_views.texts, name="texts"),
    path(
        "surveys/campaigns/<int:campaign_id>/units/<int:unit_id>/poster.pdf",
        campaign_views.poster,
        name="poster",
    ),
    path(
        "surveys/campaigns/<int:campaign_id>/units/<int:unit_id>/invitations/",
        campaign_views.invitations,
        name="invitations",
    ),
    path("surveys/published/", published_views.published, name="published"),
]
