"""Abstract bases shared by the per-round sections of a return."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from svmonitor.choices import Rag


class RatedUpdate(models.Model):
    """A section of one round: an assurance RAG and narrative, versioned against lost updates."""

    rag = models.CharField(
        "Assurance level", max_length=12, choices=Rag.choices, default=Rag.NOT_RATED
    )
    narrative = models.TextField("Progress update", blank=True)
    # Bumped by every save; a save carrying an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(rag__in=Rag.values), name="%(app_label)s_%(class)s_rag_valid"
            )
        ]
