"""Demo accounts: one user per role for each demo council, and a DfE adviser who reads both."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from demo.data.common import Tally, upsert
from svmonitor.models import Membership
from svmonitor.roles import Role

DEMO_GROUP = "demo-accounts"
COUNCIL_ROLES = (Role.OFFICER, Role.LEAD, Role.BOARD, Role.FINANCE, Role.S151, Role.DCS)
ADVISER_USERNAME = "adviser"


def demo_user_upsert(tally: Tally, *, username: str, first_name: str, last_name: str, group):
    """A demo user with the demo password, in the demo group (which DEBUG-off refuses)."""
    user_model = get_user_model()
    values = {
        "email": f"{username}@example.org",
        "first_name": first_name,
        "last_name": last_name,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    user = user_model.objects.filter(username=username).first()
    created = user is None
    changed = False
    if created:
        user = user_model.objects.create_user(
            username=username, password=settings.DEMO_PASSWORD, **values
        )
    else:
        changed_fields = [name for name, value in values.items() if getattr(user, name) != value]
        for name in changed_fields:
            setattr(user, name, values[name])
        # Checking first keeps a re-run from writing a fresh salt and hash every time.
        if not user.check_password(settings.DEMO_PASSWORD):
            user.set_password(settings.DEMO_PASSWORD)
            changed_fields.append("password")
        if changed_fields:
            user.save(update_fields=changed_fields)
            changed = True
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed = changed or not created
    tally.record(user_model, created=created, changed=changed)
    return user


def demo_users_load(tally: Tally, *, councils: list) -> dict[str, object]:
    """`<role>.<slug>` for every council role and council, plus `adviser` on every council."""
    group, _ = Group.objects.get_or_create(name=DEMO_GROUP)
    users = {}
    for council in councils:
        short_name = council.name.split(" ")[0]
        for role in COUNCIL_ROLES:
            username = f"{role}.{council.slug}"
            user = demo_user_upsert(
                tally,
                username=username,
                first_name=Role(role).label,
                last_name=f"({short_name} demo)",
                group=group,
            )
            upsert(Membership, tally, lookup={"user": user, "council": council, "role": role})
            users[username] = user
    adviser = demo_user_upsert(
        tally,
        username=ADVISER_USERNAME,
        first_name=Role.ADVISER.label,
        last_name="(demo)",
        group=group,
    )
    for council in councils:
        upsert(
            Membership, tally, lookup={"user": adviser, "council": council, "role": Role.ADVISER}
        )
    users[ADVISER_USERNAME] = adviser
    return users


ADMINISTRATOR_USERNAME = "demo-administrator"


def demo_administrator_load(tally: Tally):
    """The site administrator the Eastmoor workbook is imported as (setting up a council and
    its agreement needs one, as it does for any council's first upload).

    It has no usable password, so nobody signs in as it; it is in the demo group all the same,
    so with DEBUG off it could not sign in even if it had one. History names it as the person
    who imported the workbook.
    """
    group, _ = Group.objects.get_or_create(name=DEMO_GROUP)
    user_model = get_user_model()
    values = {
        "email": f"{ADMINISTRATOR_USERNAME}@example.org",
        "first_name": "Site administrator",
        "last_name": "(demo load)",
        "is_active": True,
        "is_staff": False,
        "is_superuser": True,
    }
    user = user_model.objects.filter(username=ADMINISTRATOR_USERNAME).first()
    created = user is None
    changed_fields = []
    if created:
        user = user_model(username=ADMINISTRATOR_USERNAME, **values)
        user.set_unusable_password()
        user.save()
    else:
        changed_fields = [name for name, value in values.items() if getattr(user, name) != value]
        for name in changed_fields:
            setattr(user, name, values[name])
        if user.has_usable_password():
            user.set_unusable_password()
            changed_fields.append("password")
        if changed_fields:
            user.save(update_fields=changed_fields)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed_fields.append("groups")
    tally.record(user_model, created=created, changed=bool(changed_fields) and not created)
    return user
