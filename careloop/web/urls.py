from django.contrib.auth import views as auth_views
from django.urls import path

from careloop.intake import poster_views
from careloop.web import audit_views, manage, views
from careloop.web.auth_views import LoginView, login_code, two_step, two_step_off

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.queue, name="queue"),
    path("cases/new/", views.quick_entry, name="quick_entry"),
    path("cases/export.csv", views.queue_export, name="queue_export"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/do/<slug:action_name>/", views.case_action, name="case_action"),
    path("manage/", manage.manage_index, name="manage"),
    path("manage/posters/", poster_views.poster_form, name="posters"),
    path("manage/<slug:slug>/", manage.manage_list, name="manage_list"),
    path("manage/<slug:slug>/new/", manage.manage_edit, name="manage_new"),
    path("manage/<slug:slug>/<int:pk>/", manage.manage_edit, name="manage_edit"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit/review/", audit_views.audit_review, name="audit_review"),
]

auth_urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("login/code/", login_code, name="login_code"),
    path("account/two-step/", two_step, name="two_step"),
    path("account/two-step/off/", two_step_off, name="two_step_off"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
