"""View helpers for per-council access: load a council or object for a user, or refuse.

Deny by default. A user with no role at a council gets 404 for it (its existence is not
revealed); a user who may view it but lacks the action gets 403, recorded in the audit trail.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from svmonitor.audit import audit_record
from svmonitor.choices import RoundStatus
from svmonitor.models import LocalAuthority, Membership
from svmonitor.roles import (
    ROLE_ACTIONS,
    ROLE_ACTIONS_BY_SETTING,
    ROLES_NEEDING_SECOND_FACTOR,
    Action,
)

PERMISSION_REFUSED = "permission_refused"
_NO_ACTIONS: frozenset[str] = frozenset()
_ALL_ACTIONS = frozenset(Action.values)


def user_roles(user, council) -> set[str]:
    """The roles a user holds at one council (empty for anonymous or inactive users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(Membership.objects.filter(user=user, council=council).values_list("role", flat=True))


def actions_for(user, council, roles: set[str] | None = None) -> frozenset[str]:
    """Every action a user may do at one council: the union of their roles' actions."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NO_ACTIONS
    if user.is_superuser:
        return _ALL_ACTIONS
    if roles is None:
        roles = user_roles(user, council)
    allowed: set[str] = set()
    for role in roles:
        allowed |= ROLE_ACTIONS.get(role, _NO_ACTIONS)
        # What the council chooses to grant the role (a DfE adviser reading shared drafts).
        for action, setting in ROLE_ACTIONS_BY_SETTING.get(role, {}).items():
            if getattr(council, setting, False):
                allowed.add(action)
    return frozenset(allowed)


def round_readable(user, round, actions: frozenset[str] | None = None) -> bool:
    """Whether the user may read this round (issue 15.7): a submitted one, or a draft where
    they may read the council's drafts. The querysets apply the same rule
    (svmonitor.scoping.RoundScopedQuerySet); this answers it for a round already loaded."""
    if round.status == RoundStatus.SUBMITTED:
        return True
    if actions is None:
        actions = actions_for(user, round.agreement.council)
    return Action.VIEW_DRAFTS in actions


def user_can(user, council, action: str) -> bool:
    """Whether a user may do an action at a council."""
    return action in actions_for(user, council)


NO_USER = "A change to a council's data needs a signed-in user; none was given."


def require_action(user, council, action: str) -> None:
    """Refuse (PermissionDenied) unless the user may do `action` at the council.

    Services call this, so the browser, the workbook import, commands and the admin meet the
    same role check for the same kind of data. Commands act as a named user (`--user`).
    """
    if user is None:
        raise PermissionDenied(NO_USER)
    if action not in actions_for(user, council):
        raise PermissionDenied(
            f"{user.get_username()} cannot {Action(action).label.lower()} for {council}."
        )


def needs_second_factor(user) -> bool:
    """Whether a user signs off or administers, so must use TOTP when it is required."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, role__in=ROLES_NEEDING_SECOND_FACTOR).exists()


def request_needs_second_factor(request) -> bool:
    """needs_second_factor for the signed-in user, asked once per request (one query).

    Asked afresh on every request, so a role given a moment ago counts from the next one.
    """
    if not hasattr(request, "_needs_second_factor"):
        request._needs_second_factor = needs_second_factor(request.user)
    return request._needs_second_factor


def refuse(request, *, action: str, council=None, obj=None) -> PermissionDenied:
    """Record a permission refusal in the audit trail and return the 403 to raise."""
    audit_record(
        action=PERMISSION_REFUSED,
        request=request,
        council=council,
        obj=obj,
        after={"action": str(action), "method": request.method, "path": request.path[:200]},
    )
    return PermissionDenied(f"You cannot {Action(action).label.lower()} for this council.")


def _council_with_roles(user, slug: str) -> tuple[LocalAuthority | None, set[str]]:
    """The council named by `slug` if the user may view it, and the roles they hold there.

    One query: the user's memberships there with the council joined; whether those roles let
    them view it is actions_for's answer (the rule the scoped querysets apply in SQL). A site
    administrator has no roles and sees every council.
    """
    if not getattr(user, "is_authenticated", False):
        return None, set()
    if user.is_superuser:
        return LocalAuthority.objects.for_user(user, Action.VIEW).filter(slug=slug).first(), set()
    held = list(Membership.objects.filter(user=user, council__slug=slug).select_related("council"))
    if not held:
        return None, set()
    council, roles = held[0].council, {membership.role for membership in held}
    if Action.VIEW not in actions_for(user, council, roles):
        return None, set()
    return council, roles


def council_for_user(request, slug: str, action: str = Action.VIEW) -> LocalAuthority:
    """The council named by `slug` if the user may do `action` there; 404 if they have no role."""
    council, roles = _council_with_roles(request.user, slug)
    if council is None:
        raise Http404("No such council.")
    actions = actions_for(request.user, council, roles)
    # Cache for council_permissions() so templates can hide buttons without another query.
    request.council = council
    request.council_actions = actions
    # The roles held there, for a later question about them in the same request (a site
    # administrator's come from user_roles, as they are not among the memberships read here).
    request.council_roles = None if request.user.is_superuser else roles
    if action not in actions:
        raise refuse(request, action=action, council=council)
    return council


def object_for_user(request, queryset, action: str = Action.VIEW, **lookup):
    """One council-owned object the user may see (else 404) and act on (else audited 403)."""
    obj = queryset.for_user(request.user, Action.VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404("No such item.")
    if action != Action.VIEW and not (
        queryset.for_user(request.user, action).filter(pk=obj.pk).exists()
    ):
        raise refuse(request, action=action, obj=obj)
    return obj


def council_action_required(action: str = Action.VIEW):
    """Decorate a view with a `slug` URL kwarg: load request.council for the user, or refuse.

    Anonymous users are sent to sign in; no role at the council is a 404; a role without the
    action is an audited 403. The view receives its kwargs unchanged.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            council_for_user(request, kwargs["slug"], action)
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        # The role x action matrix test finds guarded views by this attribute.
        guarded.required_action = action
        return guarded

    return decorator


def council_can(user, council) -> dict[str, bool]:
    """A template-ready map of action -> allowed, e.g. {{ council_can.edit }}."""
    allowed = actions_for(user, council)
    return {value: value in allowed for value in Action.values}


def council_permissions(request) -> dict:
    """Context processor: `council_can` for the council the view loaded (none otherwise)."""
    council = getattr(request, "council", None)
    if council is None:
        return {"council_can": dict.fromkeys(Action.values, False)}
    allowed = getattr(request, "council_actions", None)
    if allowed is None:
        allowed = actions_for(request.user, council)
    return {"council_can": {value: value in allowed for value in Action.values}}
