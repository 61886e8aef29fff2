"""Data feed tokens: one per system that reads the feed (a council's Power BI, a DfE request).

Only the SHA-256 of a token is kept; the token itself is shown once, when it is made. A token
acts as a named user and reaches the councils it is scoped to, and within them only what that
user may read (a draft return only where the user reads drafts): access is the user's access,
narrowed to the token's councils.
"""

from django.conf import settings
from django.db import models

from svmonitor.models import LocalAuthority


class ApiToken(models.Model):
    """A bearer token for the data feed, scoped to one or more councils."""

    name = models.CharField(
        max_length=120, help_text="What reads with it, e.g. 'Power BI, SEND team'"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="The feed shows what this user may read, in the token's councils only.",
    )
    councils = models.ManyToManyField(LocalAuthority, related_name="api_tokens")
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell it apart"
    )
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    use_count = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "data feed token"
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
