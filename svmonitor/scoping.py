"""The one scoping mechanism: every council-owned queryset answers `.for_user(user, action)`."""

from django.apps import apps
from django.db import models

from svmonitor.roles import ROLE_ACTIONS, Action


def roles_allowing(action: str) -> list[str]:
    """Every per-council role that grants an action."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def council_ids_for_user(user, action: str = Action.VIEW):
    """A subquery of the council ids where the user may perform an action (deny by default)."""
    membership = apps.get_model("svmonitor", "Membership")
    if not getattr(user, "is_authenticated", False):
        return membership.objects.none().values("council_id")
    return membership.objects.filter(
        user=user, role__in=roles_allowing(action), user__is_active=True
    ).values("council_id")


class CouncilScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the owning LocalAuthority."""

    council_lookup = "council"

    def for_user(self, user, action: str = Action.VIEW):
        """Only rows of councils where the user holds a role allowing the action."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(**{f"{self.council_lookup}__in": council_ids_for_user(user, action)})

    def for_council(self, council):
        """Only rows belonging to one council."""
        return self.filter(**{self.council_lookup: council})


def council_scoped(lookup: str) -> models.Manager:
    """A manager whose querysets scope through `lookup` (e.g. "agreement__council")."""
    queryset_class = type(
        f"ScopedQuerySet_{lookup.replace('__', '_')}",
        (CouncilScopedQuerySet,),
        {"council_lookup": lookup},
    )
    return queryset_class.as_manager()
