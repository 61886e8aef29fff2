"""The Django side of `make bench-load` (bench/load.py runs it in child processes against the
bench database): `seed` makes the data and the plan; `check` reads every accepted save back.

    python bench/load_data.py seed
    python bench/load_data.py check PLAN.json SAVES.json
"""

import datetime as dt
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-" + "load-password-2024"
OFFICERS = 35
BOARD_MEMBERS = 15
USER_COUNT = OFFICERS + BOARD_MEMBERS


def _django():
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def plan_build() -> list[dict]:
    """For each council: the pages the users read, and in its draft return every section,
    headline list and KPI figure an officer may edit, with the version it starts from."""
    from django.urls import reverse

    from conditions.models import ConditionUpdate, WorkstreamUpdate
    from metrics.models import MeasureValue
    from metrics.services import measure_value_address_errors
    from overview.models import Headline, RoundOverview
    from overview.selectors import headline_texts
    from overview.services import headlines_fingerprint
    from risks.models import RiskUpdate
    from svmonitor.models import LocalAuthority, ReportingRound

    councils = []
    for council in LocalAuthority.objects.order_by("slug"):
        # The Safety Valve returns: the bench edits and reads those (a DSG plan's are another
        # kind of round on the same agreement).
        rounds = ReportingRound.objects.filter(
            agreement__council=council, return_kind="safety_valve"
        )
        latest = rounds.order_by("-financial_year", "-update_number").first()
        draft = rounds.filter(status="draft").order_by("-financial_year", "-update_number").first()
        if latest is None:
            continue
        base = f"/councils/{council.slug}/"
        chosen = draft or latest
        entry = {
            "slug": council.slug,
            "dashboard": base,
            "round": f"{base}rounds/{latest.fy}/{latest.update_number}/",
            "council_list": "/councils/",
            "kpi_grid": reverse("metrics:kpi_grid", args=[council.slug]),
            "kpi_cell": reverse("metrics:kpi_cell", args=[council.slug]),
            "pdf": f"{base}rounds/{chosen.fy}/{chosen.update_number}/report.pdf",
            "pdf_is_draft": draft is not None,
            "targets": [],
            "cells": [],
        }
        if draft is not None:
            args = [council.slug, draft.fy, draft.update_number]
            # Every section of the draft return an officer edits in place, with its version.
            for kind, model, name in (
                ("condition", ConditionUpdate, "conditions:condition_update_edit"),
                ("risk", RiskUpdate, "risks:risk_update_edit"),
                ("workstream", WorkstreamUpdate, "conditions:workstream_update_edit"),
            ):
                for update in model.objects.filter(round=draft).order_by("pk"):
                    entry["targets"].append(
                        {
                            "id": f"{kind}-{update.pk}",
                            "kind": "rated",
                            "model": kind,
                            "pk": update.pk,
                            "edit": reverse(name, args=[*args, update.pk]),
                            "field": "narrative",
                            "version": update.version,
                        }
                    )
            overview = RoundOverview.objects.get(round=draft)
            entry["targets"].append(
                {
                    "id": f"overview-{overview.pk}",
                    "kind": "overview",
                    "model": "overview",
                    "pk": overview.pk,
                    "edit": reverse("overview:overview_edit", args=args),
                    "field": "overall_narrative",
                    "version": overview.version,
                }
            )
            for kind in Headline.Kind.values:
                texts = headline_texts(overview=overview, kind=kind)
                entry["targets"].append(
                    {
                        "id": f"headlines-{kind}-{overview.pk}",
                        "kind": "headlines",
                        "model": "headlines",
                        "pk": overview.pk,
                        "list": kind,
                        "edit": reverse("overview:headlines_edit", args=[*args, kind]),
                        "field": "texts",
                        "version": headlines_fingerprint(texts),
                    }
                )
            # KPI figures the officers re-key: stored monthly actuals of count measures.
            checked: dict = {}
            for value in (
                MeasureValue.objects.filter(
                    measure__council=council, series__slug="actual", measure__unit="count"
                )
                .select_related("measure__council", "series")
                .order_by("-period", "measure_id")[:200]
            ):
                errors = measure_value_address_errors(
                    measure=value.measure, period=value.period, series=value.series, checked=checked
                )
                if not errors:
                    entry["cells"].append(
                        {
                            "id": f"cell-{value.pk}",
                            "measure": value.measure_id,
                            "series": value.series.slug,
                            "period": f"{value.period:%Y-%m}",
                        }
                    )
        councils.append(entry)
    return councils


def seed() -> None:
    """Migrate, load the demo councils, add the bench users; print the plan as JSON."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from svmonitor.models import LocalAuthority, Membership
    from svmonitor.roles import Role

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)
    entries = plan_build()
    if not entries:
        raise SystemExit("load_demo made no council with a round")
    by_slug = LocalAuthority.objects.in_bulk([e["slug"] for e in entries], field_name="slug")
    councils = [(by_slug[e["slug"]], e) for e in entries]
    editable = [(c, e) for c, e in councils if e["targets"]]
    if not editable:
        raise SystemExit("load_demo made no draft return to edit")

    # One hash for all: hashing 50 passwords one by one would take the best part of a minute.
    hashed = make_password(PASSWORD)
    users = []
    user_model = get_user_model()
    for i in range(USER_COUNT):
        officer = i < OFFICERS
        council, entry = (editable if officer else councils)[
            i % len(editable if officer else councils)
        ]
        role = Role.OFFICER if officer else Role.BOARD
        user, _ = user_model.objects.update_or_create(
            username=f"bench-{'officer' if officer else 'board'}-{i:02d}",
            defaults={"password": hashed, "email": f"bench{i}@example.org", "is_active": True},
        )
        Membership.objects.get_or_create(user=user, council=council, role=role)
        users.append({"username": user.username, "council": entry["slug"], "role": str(role)})
    print(json.dumps({"councils": [entry for _, entry in councils], "users": users}))


def check(plan_file: str, saves_file: str) -> None:
    """Read every accepted save back; print {"lost": [...], "checked": n} as JSON."""
    _django()
    plan = json.loads(Path(plan_file).read_text())
    saves = json.loads(Path(saves_file).read_text())
    lost = lost_updates(plan["councils"], saves)
    print(json.dumps({"lost": lost, "checked": len(saves)}))


def lost_updates(councils: list[dict], saves: list[dict]) -> list[str]:
    """What the database lost of the accepted saves (see the rules in docs/performance.md)."""
    from decimal import Decimal

    from conditions.models import ConditionUpdate, WorkstreamUpdate
    from metrics.models import MeasureValue
    from overview.models import RoundOverview
    from overview.selectors import headline_texts
    from overview.services import headlines_fingerprint
    from risks.models import RiskUpdate
    from svmonitor.models import AuditEvent

    targets = {t["id"]: t for c in councils for t in c["targets"]}
    cells = {t["id"]: t for c in councils for t in c["cells"]}
    models = {
        "condition": ConditionUpdate,
        "risk": RiskUpdate,
        "workstream": WorkstreamUpdate,
        "overview": RoundOverview,
    }
    # The history of the run: every text and figure the audit trail holds as an "after".
    history = "\n".join(
        json.dumps(after, default=str)
        for after in AuditEvent.objects.filter(after__isnull=False).values_list("after", flat=True)
    )
    recorded_tokens = set(re.findall(r"LT\w+-\d+", history))
    recorded_values = {
        (after.get("series"), str(after.get("period")), Decimal(str(after["value"])))
        for after in AuditEvent.objects.filter(action="measure_value.save").values_list(
            "after", flat=True
        )
        if after and after.get("value") is not None
    }
    lost = []
    by_target = defaultdict(list)
    for save in saves:
        by_target[save["target"]].append(save)
    for target_id, accepted in by_target.items():
        if target_id in cells:
            cell = cells[target_id]
            stored = (
                MeasureValue.objects.filter(
                    measure_id=cell["measure"],
                    series__slug=cell["series"],
                    period=dt.date.fromisoformat(cell["period"] + "-01"),
                )
                .values_list("value", flat=True)
                .first()
            )
            # One officer keys each figure, one save after another: the last one must stand.
            if stored is None or Decimal(stored) != Decimal(accepted[-1]["value"]):
                lost.append(f"{target_id}: holds {stored}, last saved {accepted[-1]['value']}")
            for save in accepted:
                key = (cell["series"], cell["period"] + "-01", Decimal(save["value"]))
                if key not in recorded_values:
                    lost.append(f"{target_id}: {save['value']} saved but not in the history")
            continue
        target = targets[target_id]
        for save in accepted:
            if save["token"] not in recorded_tokens:
                lost.append(f"{target_id}: save {save['token']} accepted, not in the history")
        if target["kind"] == "headlines":
            overview = RoundOverview.objects.get(pk=target["pk"])
            stored = headline_texts(overview=overview, kind=target["list"])
            # Each accepted save was made over the list the one before it left: one chain
            # from the list at the start to the list now stored, with no save left out.
            after_seen = {save["version"]: save for save in accepted}
            if len(after_seen) != len(accepted):
                lost.append(f"{target_id}: two saves accepted over the same list")
            seen, walked = target["version"], 0
            while seen in after_seen:
                seen = headlines_fingerprint(after_seen[seen]["texts"])
                walked += 1
            if walked != len(accepted) or seen != headlines_fingerprint(stored):
                lost.append(
                    f"{target_id}: {len(accepted)} saves accepted, {walked} in one chain; "
                    f"stored {stored!r}"
                )
            continue
        row = models[target["model"]].objects.get(pk=target["pk"])
        versions = sorted(save["version"] for save in accepted)
        last = max(accepted, key=lambda save: save["version"])
        if len(set(versions)) != len(versions):
            lost.append(f"{target_id}: two saves accepted over the same version {versions}")
        if row.version != target["version"] + len(accepted):
            lost.append(
                f"{target_id}: version {row.version} after {len(accepted)} accepted saves "
                f"from {target['version']}"
            )
        if getattr(row, target["field"]) != last["text"]:
            lost.append(
                f"{target_id}: holds {getattr(row, target['field'])[:60]!r}, not {last['token']}"
            )
    return lost


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        seed()
    elif sys.argv[1:2] == ["check"]:
        check(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
