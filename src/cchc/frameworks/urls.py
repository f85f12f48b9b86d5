from django.urls import path

from cchc.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("frameworks/", views.framework_list, name="list"),
    path("frameworks/template.xlsx", views.framework_template, name="template"),
    path("frameworks/<str:code>/", views.framework_detail, name="detail"),
    path("frameworks/<str:code>/export.<str:fmt>", views.framework_export, name="export"),
]
