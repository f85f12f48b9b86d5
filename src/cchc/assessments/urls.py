from django.urls import path

from cchc.assessments import views

app_name = "assessments"
urlpatterns = [
    path("rounds/", views.rounds_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:round_id>/", views.round_overview, name="round_overview"),
    path("rounds/<int:round_id>/bulk/", views.round_bulk, name="round_bulk"),
    path("rounds/<int:round_id>/results/", views.round_results_view, name="results"),
    path("trends/", views.trends_view, name="trends"),
    path("trends/units/<int:unit_id>/", views.unit_history_view, name="unit_history"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("assessments/<int:assessment_id>/appraise/", views.assessment_detail, name="appraise"),
    path("assessments/<int:assessment_id>/action/", views.assessment_action, name="action"),
    path("assessments/<int:assessment_id>/leaf/<int:node_id>/", views.leaf_save, name="leaf_save"),
    path(
        "assessments/<int:assessment_id>/leaf/<int:node_id>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
