"""The "Insights" link of the main navigation, for users who may view a facility's cases."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from careloop.insights.permissions import can_view_any_insights
from careloop.orgs.models import User

register = template.Library()


@register.simple_tag
def insights_link(user: object) -> SafeString:
    if not isinstance(user, User) or not can_view_any_insights(user):
        return SafeString("")
    return format_html('<a href="{}">Insights</a>', reverse("insights:index"))
