"""The token scheme as the OpenAPI description shows it (found by drf-spectacular on import)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A data feed token from a site administrator: `Authorization: "
            "Bearer svm_…`.",
        }
