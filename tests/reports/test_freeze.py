"""Freezing a round: canonical JSON of the read model, hashed, and kept as it was signed."""

import hashlib
import json

import pytest

from conditions.models import ConditionUpdate
from conditions.services import condition_update_save
from reports.freeze import (
    canonical_json,
    payload_sha256,
    round_payload,
    round_snapshot_freeze,
    round_snapshot_verify,
)
from reports.models import RoundSnapshot
from reports.snapshot import round_snapshot_build, snapshot_as_dict
from svmonitor.choices import Rag, RoundStatus
from svmonitor.services import round_reopen
from tests import factories as f
from tests.round_builders import programme, round_in

pytestmark = pytest.mark.django_db


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_unicode():
    text = canonical_json({"b": 1, "a": {"d": "£84.5m", "c": [1, 2]}})
    assert text == '{"a":{"c":[1,2],"d":"£84.5m"},"b":1}'


def test_canonical_json_refuses_nan():
    with pytest.raises(ValueError):
        canonical_json({"value": float("nan")})


def test_the_payload_is_the_dashboard_read_model():
    round = round_in(RoundStatus.DRAFT)
    expected = json.loads(canonical_json(snapshot_as_dict(round_snapshot_build(round))))
    assert round_payload(round) == expected


def test_freezing_stores_the_payload_and_the_sha256_of_its_canonical_json():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    update = ConditionUpdate.objects.filter(round=round).first()
    condition_update_save(
        update=update,
        expected_version=1,
        rag=Rag.AMBER,
        narrative="Costs up 12%: £1.2m (see Annex B, the “plan” in Ceredigion é).",
        by=prog.officer,
    )
    snapshot = round_snapshot_freeze(round=round, by=prog.officer)
    text = canonical_json(round_payload(round))
    assert snapshot.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "Costs up 12%: £1.2m (see Annex B, the “plan” in Ceredigion é)." in text
    stored = RoundSnapshot.objects.get(pk=snapshot.pk)
    assert stored.created_by == prog.officer
    # Read back from the database (jsonb reorders keys on PostgreSQL), it hashes the same.
    assert payload_sha256(stored.payload) == stored.sha256
    assert round_snapshot_verify(stored)


def test_same_content_same_hash_and_any_change_a_new_one():
    prog = programme()
    round = round_in(RoundStatus.DRAFT, prog)
    first = round_snapshot_freeze(round=round, by=None)
    again = round_snapshot_freeze(round=round, by=None)
    assert first.sha256 == again.sha256
    update = ConditionUpdate.objects.filter(round=round).first()
    condition_update_save(
        update=update, expected_version=1, rag=Rag.GREEN, narrative="Done.", by=prog.officer
    )
    assert round_snapshot_freeze(round=round, by=None).sha256 != first.sha256


def test_a_tampered_payload_no_longer_verifies():
    round = round_in(RoundStatus.READY)
    snapshot = RoundSnapshot.objects.get(round=round)
    payload = snapshot.payload
    payload["council"]["name"] = "Someone else"
    RoundSnapshot.objects.filter(pk=snapshot.pk).update(payload=payload)
    snapshot.refresh_from_db()
    assert not round_snapshot_verify(snapshot)


def test_the_signed_snapshot_is_kept_as_it_was_after_reopening_and_editing():
    prog = programme()
    round = round_in(RoundStatus.SIGNED_OFF, prog)
    signed = RoundSnapshot.objects.get(round=round)
    signed_payload = signed.payload
    round_reopen(round=round, by=prog.officer, reason="Correct condition 1")
    update = ConditionUpdate.objects.get(round=round, condition__label="1")
    condition_update_save(
        update=update,
        expected_version=update.version,
        rag=Rag.RED,
        narrative="Corrected: off target.",
        by=prog.officer,
    )
    signed.refresh_from_db()
    assert signed.payload == signed_payload
    assert round_snapshot_verify(signed)
    assert "Corrected: off target." not in canonical_json(signed.payload)
    assert "Corrected: off target." in canonical_json(round_payload(round))


def test_freezing_works_for_a_round_with_measures_and_no_overview():
    round = f.ReportingRoundFactory()
    measure = f.MeasureFactory(council=round.agreement.council)
    f.MeasureValueFactory(measure=measure)
    snapshot = round_snapshot_freeze(round=round, by=None)
    assert round_snapshot_verify(snapshot)
