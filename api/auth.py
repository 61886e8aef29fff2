"""Bearer-token sign-in for the data feed: `Authorization: Bearer svm_…`.

The feed takes no session cookie: a browser signed in to svmonitor gets 401 here, so a page
cannot be made to read the feed on a user's behalf, and every read names its token.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from api.services import api_token_find

INVALID = "Invalid or revoked token."


class TokenAuthentication(authentication.BaseAuthentication):
    """request.user is the token's user, request.auth the ApiToken."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            text = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID) from exc
        token = api_token_find(text)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # With it, DRF answers a missing or bad token 401 (not 403).
        return f'{self.keyword} realm="api"'
