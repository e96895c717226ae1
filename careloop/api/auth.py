"""Bearer tokens: who is calling (401 if nobody we know), how often (429) and whether the
token's scopes allow the endpoint (403)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from careloop.api.models import ApiToken
from careloop.api.problems import ApiProblem
from careloop.api.ratelimit import rate_limit_hit
from careloop.api.services import api_token_touch
from careloop.api.tokens import token_hash
from careloop.core.time import utcnow
from careloop.orgs.models import User

MAX_TOKEN_CHARS = 200


class TokenAuth(HttpBearer):
    """Accepts an active token holding `scope`; the token is then `request.auth`."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        found = (
            ApiToken.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = utcnow()
        request.auth = found  # type: ignore[attr-defined]  # so refusals below are audited
        wait = rate_limit_hit(token_id=found.pk, now_epoch=now.timestamp())
        if wait:
            raise ApiProblem(
                429,
                f"This token's rate limit is reached; retry in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        api_token_touch(token=found, now=now)
        if self.scope not in found.scopes:
            raise ApiProblem(403, f"This token lacks the scope {self.scope}.")
        return found


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # the endpoint's auth guarantees it
        raise ApiProblem(401, "Send a valid API token.")
    return token


def actor_of(request: HttpRequest) -> User:
    """The token's service user: every service is called as this user."""
    return token_of(request).user
