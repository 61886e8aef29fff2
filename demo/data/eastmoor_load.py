"""Load Eastmoor by importing its workbook, as a council's first upload would."""

from __future__ import annotations

from pathlib import Path

from demo.data.common import Tally
from demo.data.eastmoor import SLUG, WORKBOOK_PATH
from svmonitor.models import LocalAuthority
from workbook.importer import workbook_import


class EastmoorRefused(Exception):
    """The Eastmoor workbook did not import; the message lists every problem."""


def eastmoor_load(tally: Tally, *, by, path: Path = WORKBOOK_PATH) -> LocalAuthority:
    """Import fixtures/demo-eastmoor.xlsx through `workbook_import` acting as `by`.

    The first run creates the council (`create=True`, as *Add a council* does). Later runs
    check the workbook first and import only if it would create or change something, so a
    re-run changes nothing (not even the import's own history entry).
    """
    exists = LocalAuthority.objects.filter(slug=SLUG).exists()
    if exists:
        check = workbook_import(file=path, council_slug=SLUG, dry_run=True, by=by)
        _refuse_on_errors(check)
        if not check.has_changes:
            _count(tally, check)
            return LocalAuthority.objects.get(slug=SLUG)
    result = workbook_import(
        file=path, council_slug=SLUG, by=by, filename=path.name, create=not exists
    )
    _refuse_on_errors(result)
    _count(tally, result)
    council = LocalAuthority.objects.get(slug=SLUG)
    if not council.is_fictional:
        # The workbook has no column for it: the demo marks its invented councils.
        LocalAuthority.objects.filter(pk=council.pk).update(is_fictional=True)
        council.is_fictional = True
    return council


def _refuse_on_errors(result) -> None:
    if result.errors:
        problems = "\n".join(str(error) for error in result.errors)
        raise EastmoorRefused(f"The Eastmoor workbook did not import:\n{problems}")


def _count(tally: Tally, result) -> None:
    """The import's per-sheet counts, in the tally the command prints."""
    for sheet in result.sheets:
        name = f"workbook.{sheet.name}"
        tally.seen[name] += sheet.created + sheet.changed + sheet.unchanged
        tally.created[name] += sheet.created
        tally.changed[name] += sheet.changed
