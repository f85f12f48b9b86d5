from django.urls import path

from cchc.surveys import public_views, views

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
    path("surveys/", views.campaigns, name="campaigns"),
    path("surveys/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("surveys/campaigns/<int:campaign_id>/", views.progress, name="progress"),
    path("surveys/campaigns/<int:campaign_id>/responses/", views.responses, name="responses"),
    path("surveys/responses/<int:response_id>/exclude/", views.response_exclude, name="response_exclude"),
    path("surveys/responses/<int:response_id>/restore/", views.response_restore, name="response_restore"),
    path("surveys/campaigns/<int:campaign_id>/results/", views.results, name="results"),
    path("surveys/campaigns/<int:campaign_id>/texts/", views.texts, name="texts"),
    path("surveys/campaigns/<int:campaign_id>/units/<int:unit_id>/poster.pdf", views.poster, name="poster"),
    path(
        "surveys/campaigns/<int:campaign_id>/units/<int:unit_id>/invitations/",
        views.invitations,
        name="invitations",
    ),
    path("surveys/published/", views.published, name="published"),
]
