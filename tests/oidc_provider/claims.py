"""The claims each person's ID token carries, as the test's JSON file says (e-mail, whether it
is verified, and `amr`: how they signed in)."""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "email_verified": "email",
        "amr": "openid",
    }

    def get_additional_claims(self, request):
        person = settings.CONFIG["people"][request.user.username]
        claims = {"email": person["email"], "email_verified": person["email_verified"]}
        if person.get("amr"):
            claims["amr"] = person["amr"]
        return claims
