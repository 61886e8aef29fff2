"""The frozen payload turns back into the same read model."""

import json

import pytest

from reports.snapshot import round_snapshot_build, snapshot_as_dict
from reports.snapshot.hydrate import snapshot_from_dict
from tests.reports.conftest import build_council


@pytest.mark.django_db
def test_it_rebuilds_the_snapshot_from_its_json_form():
    snap = round_snapshot_build(build_council())
    # Through real JSON text, as the payload is stored.
    payload = json.loads(json.dumps(snapshot_as_dict(snap)))
    rebuilt = snapshot_from_dict(payload)
    assert rebuilt == snap
    assert rebuilt.conditions[0].by_update[0].css == snap.conditions[0].by_update[0].css
    assert rebuilt.key_risks == snap.key_risks


def test_it_refuses_a_payload_missing_a_field():
    with pytest.raises(KeyError):
        snapshot_from_dict({"council": {}})
