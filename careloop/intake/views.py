"""Public intake pages (being built)."""

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, **kwargs: str) -> HttpResponse:
    raise Http404


facility_form = unit_form = kiosk_form = confirmation = status = display_prefs = _missing
