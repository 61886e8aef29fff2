"""The one scoping mechanism: every council-owned queryset answers `.for_user(user, action)`."""

from django.apps import apps
from django.db import models
from django.db.models import Q

from svmonitor.choices import RoundStatus
from svmonitor.roles import ROLE_ACTIONS, ROLE_ACTIONS_BY_SETTING, Action


def roles_allowing(action: str) -> list[str]:
    """Every per-council role that grants an action."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def council_ids_for_user(user, action: str = Action.VIEW):
    """A subquery of the council ids where the user may perform an action (deny by default)."""
    membership = apps.get_model("svmonitor", "Membership")
    if not getattr(user, "is_authenticated", False):
        return membership.objects.none().values("council_id")
    held = Q(role__in=roles_allowing(action))
    # A role may gain the action where its council chooses so (roles.ROLE_ACTIONS_BY_SETTING).
    for role, granted in ROLE_ACTIONS_BY_SETTING.items():
        if action in granted:
            held |= Q(role=role, **{f"council__{granted[action]}": True})
    return membership.objects.filter(held, user=user, user__is_active=True).values("council_id")


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


class RoundScopedQuerySet(CouncilScopedQuerySet):
    """Reporting rounds: scoped to the user's councils, and to the rounds they may read there.

    Issue 15.7: the one place the rule is kept. A round not yet submitted to DfE is read only
    by those who may read the council's drafts (Action.VIEW_DRAFTS: every council role, and a
    DfE adviser while the council shares its drafts); to anyone else it does not exist (404).
    """

    council_lookup = "agreement__council"

    def for_user(self, user, action: str = Action.VIEW):
        """Rounds of the user's councils allowing the action, drafts only where they read them."""
        return super().for_user(user, action).readable_by(user)

    def readable_by(self, user):
        """Only the rounds the user may read: submitted ones, and drafts where allowed."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(status=RoundStatus.SUBMITTED)
            | Q(agreement__council__in=council_ids_for_user(user, Action.VIEW_DRAFTS))
        )

    def readable_with(self, actions):
        """readable_by for rounds of one council where the caller already holds the user's
        `actions` there (svmonitor.access.council_for_user): the same rule, no subquery."""
        if Action.VIEW_DRAFTS in actions:
            return self.all()
        return self.filter(status=RoundStatus.SUBMITTED)


def council_scoped(lookup: str) -> models.Manager:
    """A manager whose querysets scope through `lookup` (e.g. "agreement__council")."""
    queryset_class = type(
        f"ScopedQuerySet_{lookup.replace('__', '_')}",
        (CouncilScopedQuerySet,),
        {"council_lookup": lookup},
    )
    return queryset_class.as_manager()
