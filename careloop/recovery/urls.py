from django.urls import path

from careloop.recovery import manage_views, views

app_name = "recovery"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("cases/<int:case_id>/give/", views.give, name="give"),
    path("cases/<int:case_id>/client/link/", views.client_link, name="client_link"),
    path("cases/<int:case_id>/client/new/", views.client_create, name="client_create"),
    path(
        "cases/<int:case_id>/client/beneficiary/",
        views.client_beneficiary,
        name="client_beneficiary",
    ),
    path("entries/<int:entry_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("entries/<int:entry_id>/decline/", views.decide, {"decision": "decline"}, name="decline"),
    path("entries/<int:entry_id>/void/", views.void, name="void"),
    path("entries/<int:entry_id>/redeem/", views.redeem, name="redeem"),
    path("manage/", manage_views.index, name="manage"),
    path("manage/item-types/", manage_views.item_types, name="item_types"),
    path("manage/item-types/new/", manage_views.item_type_edit, name="item_type_new"),
    path(
        "manage/item-types/<int:item_type_id>/",
        manage_views.item_type_edit,
        name="item_type_edit",
    ),
    path("manage/authority/", manage_views.authority, name="authority"),
    path("manage/budgets/", manage_views.budgets, name="budgets"),
    path("manage/budgets/new/", manage_views.budget_edit, name="budget_new"),
    path("manage/budgets/<int:budget_id>/", manage_views.budget_edit, name="budget_edit"),
    path("manage/settings/", manage_views.settings_edit, name="settings"),
    path(
        "manage/facilities/<int:facility_id>/",
        manage_views.facility_settings_edit,
        name="facility_settings",
    ),
    path("manage/facilities/<int:facility_id>/stock/", manage_views.stock, name="stock"),
    path(
        "manage/facilities/<int:facility_id>/stock/<int:stock_item_id>/void/",
        manage_views.stock_void,
        name="stock_void",
    ),
    path(
        "manage/facilities/<int:facility_id>/reconcile/",
        manage_views.reconcile,
        name="reconcile",
    ),
]
