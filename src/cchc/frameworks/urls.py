from django.urls import path

from cchc.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("frameworks/", views.framework_list, name="list"),
    path("frameworks/template.xlsx", views.framework_template, name="template"),
    path("frameworks/shipped/import/", views.framework_import_shipped, name="import_shipped"),
    path("frameworks/<str:code>/", views.framework_detail, name="detail"),
    path("frameworks/<str:code>/export.<str:fmt>", views.framework_export, name="export"),
    path("frameworks/<str:code>/copy/", views.framework_copy, name="copy"),
    path("frameworks/<str:code>/bands/", views.bands_edit, name="bands"),
    path("frameworks/<str:code>/nodes/add/", views.node_add, name="node_add"),
    path("frameworks/<str:code>/nodes/<int:node_id>/", views.node_edit, name="node_edit"),
    path("frameworks/<str:code>/nodes/<int:node_id>/delete/", views.node_delete, name="node_delete"),
]
