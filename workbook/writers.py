"""How each planned row of a workbook is written: through the service of the app that owns its
model, the one the browser uses where there is one. One function per model; each returns the
saved row."""

from __future__ import annotations

from conditions.models import (
    AgreementCondition,
    ConditionUpdate,
    Milestone,
    ProgrammeArea,
    Workstream,
    WorkstreamSaving,
    WorkstreamUpdate,
)
from conditions.services import (
    condition_update_create,
    condition_update_save,
    condition_upsert,
    milestone_create,
    milestone_save,
    programme_area_upsert,
    workstream_saving_upsert,
    workstream_update_create,
    workstream_update_save,
    workstream_upsert,
)
from finance.models import DeficitCap, FinanceLine, PaymentInstalment
from finance.services import (
    FINANCE_FIELDS,
    deficit_cap_upsert,
    finance_line_create,
    finance_line_save,
    payment_instalment_upsert,
)
from metrics.models import DataSource, HeadlineCard, Measure, Series
from metrics.services import (
    data_source_upsert,
    headline_card_upsert,
    measure_upsert,
    series_upsert,
)
from overview.models import RoundOverview
from overview.services import round_overview_create, round_overview_save
from risks.models import Risk, RiskUpdate
from risks.services import risk_update_create, risk_update_save, risk_upsert
from svmonitor.models import (
    Agreement,
    KeyContact,
    LocalAuthority,
    MonitoringTierChange,
    RagDefinition,
    ReportingRound,
)
from svmonitor.services.council import (
    agreement_upsert,
    council_create,
    council_drafts_sharing_set,
    council_save,
    key_contact_upsert,
    monitoring_tier_upsert,
    rag_definition_upsert,
)
from svmonitor.services.rounds import round_draft_save
from workbook.plan import PlannedWrite


def _stored(planned: PlannedWrite):
    """The row as stored, or None for a row the import creates."""
    return planned.obj if planned.obj.pk is not None else None


def _rest(planned: PlannedWrite, parent: str) -> dict:
    """The row's field values without its parent, which the service takes by name."""
    return {name: value for name, value in planned.values.items() if name != parent}


def _links(planned: PlannedWrite, attr: str):
    """The many-to-many targets the row sets, or None to leave them as stored."""
    return (planned.m2m or {}).get(attr)


def _council(planned, by):
    if planned.obj.pk is None:
        return council_create(by=by, **planned.values)
    # Sharing drafts with DfE is the council's choice (its programme lead's, with a service of
    # its own); the rest of the row is a site administrator's (council_save refuses others).
    values = dict(planned.values)
    shared = values.pop("drafts_shared_with_dfe", None)
    stored = LocalAuthority.objects.get(pk=planned.obj.pk)
    council = stored
    if any(getattr(stored, name) != value for name, value in values.items()):
        council = council_save(council=planned.obj, by=by, **values)
    if shared is not None and shared != stored.drafts_shared_with_dfe:
        council = council_drafts_sharing_set(council=council, shared=shared, by=by)
    return council


def _rag_definition(planned, by):
    council = planned.values["council"]
    return rag_definition_upsert(
        council=council, rag_definition=_stored(planned), by=by, **_rest(planned, "council")
    )


def _agreement(planned, by):
    council = planned.values["council"]
    return agreement_upsert(
        council=council, agreement=_stored(planned), by=by, **_rest(planned, "council")
    )


def _payment(planned, by):
    return payment_instalment_upsert(
        agreement=planned.values["agreement"],
        payment=_stored(planned),
        by=by,
        **_rest(planned, "agreement"),
    )


def _deficit_cap(planned, by):
    return deficit_cap_upsert(
        agreement=planned.values["agreement"],
        deficit_cap=_stored(planned),
        by=by,
        **_rest(planned, "agreement"),
    )


def _tier(planned, by):
    return monitoring_tier_upsert(
        agreement=planned.values["agreement"],
        change=_stored(planned),
        by=by,
        **_rest(planned, "agreement"),
    )


def _round(planned, by):
    obj = planned.obj
    return round_draft_save(
        agreement=planned.values["agreement"],
        round=_stored(planned),
        financial_year=obj.financial_year,
        update_number=obj.update_number,
        due_date=obj.due_date,
        data_as_at=obj.data_as_at,
        expected_version=planned.version,
        by=by,
    )


def _condition(planned, by):
    return condition_upsert(
        agreement=planned.values["agreement"],
        condition=_stored(planned),
        by=by,
        **_rest(planned, "agreement"),
    )


def _area(planned, by):
    return programme_area_upsert(
        council=planned.values["council"], area=_stored(planned), by=by, **_rest(planned, "council")
    )


def _workstream(planned, by):
    return workstream_upsert(
        area=planned.values["area"],
        workstream=_stored(planned),
        conditions=_links(planned, "conditions"),
        by=by,
        **_rest(planned, "area"),
    )


def _milestone(planned, by):
    obj = planned.obj
    if obj.pk is None:
        return milestone_create(
            workstream=planned.values["workstream"],
            title=obj.title,
            due_date=obj.due_date,
            status=obj.status,
            completed_on=obj.completed_on,
            by=by,
        )
    return milestone_save(
        milestone=obj,
        expected_version=planned.version,
        status=obj.status,
        due_date=obj.due_date,
        completed_on=obj.completed_on,
        by=by,
    )


def _workstream_saving(planned, by):
    obj = planned.obj
    return workstream_saving_upsert(
        workstream=planned.values["workstream"],
        financial_year=obj.financial_year,
        saving=obj.saving,
        by=by,
        expected_version=planned.version if obj.pk is not None else None,
    )


def _risk(planned, by):
    return risk_upsert(
        council=planned.values["council"],
        risk=_stored(planned),
        expected_version=planned.version,
        by=by,
        **_rest(planned, "council"),
    )


def _source(planned, by):
    return data_source_upsert(
        council=planned.values["council"],
        source=_stored(planned),
        by=by,
        **_rest(planned, "council"),
    )


def _series(planned, by):
    return series_upsert(
        council=planned.values["council"],
        series=_stored(planned),
        by=by,
        **_rest(planned, "council"),
    )


def _measure(planned, by):
    return measure_upsert(
        council=planned.values["council"],
        measure=_stored(planned),
        conditions=_links(planned, "conditions"),
        by=by,
        **_rest(planned, "council"),
    )


def _condition_update(planned, by):
    obj = planned.obj
    if obj.pk is None:
        return condition_update_create(
            round=planned.values["round"],
            condition=planned.values["condition"],
            rag=obj.rag,
            narrative=obj.narrative,
            key_measures=_links(planned, "key_measures") or (),
            by=by,
        )
    return condition_update_save(
        update=obj,
        expected_version=planned.version,
        rag=obj.rag,
        narrative=obj.narrative,
        key_measures=_links(planned, "key_measures"),
        by=by,
    )


def _workstream_update(planned, by):
    obj = planned.obj
    if obj.pk is None:
        return workstream_update_create(
            round=planned.values["round"],
            workstream=planned.values["workstream"],
            rag=obj.rag,
            narrative=obj.narrative,
            by=by,
        )
    return workstream_update_save(
        update=obj,
        expected_version=planned.version,
        rag=obj.rag,
        narrative=obj.narrative,
        by=by,
    )


def _risk_update(planned, by):
    obj = planned.obj
    fields = {
        "rag": obj.rag,
        "narrative": obj.narrative,
        "impact": obj.impact,
        "likelihood": obj.likelihood,
        "in_dfe_report": obj.in_dfe_report,
    }
    if obj.pk is None:
        return risk_update_create(
            round=planned.values["round"], risk=planned.values["risk"], by=by, **fields
        )
    return risk_update_save(update=obj, expected_version=planned.version, by=by, **fields)


def _finance_line(planned, by):
    obj = planned.obj
    figures = {name: getattr(obj, name) for name in FINANCE_FIELDS}
    if obj.pk is None:
        return finance_line_create(
            agreement=planned.values["agreement"],
            financial_year=obj.financial_year,
            scenario=obj.scenario,
            by=by,
            **figures,
        )
    return finance_line_save(line=obj, expected_version=planned.version, by=by, **figures)


def _key_contact(planned, by):
    return key_contact_upsert(
        council=planned.values["council"],
        contact=_stored(planned),
        by=by,
        **_rest(planned, "council"),
    )


def _headline_card(planned, by):
    return headline_card_upsert(
        council=planned.values["council"], card=_stored(planned), by=by, **_rest(planned, "council")
    )


def _overview(planned, by):
    fields = _rest(planned, "round")
    overview, version = planned.obj, planned.version
    if overview.pk is None:
        # A round the workbook created (or one opened before overviews): its empty overview
        # first, then the row's answers through the browser's own save.
        overview = round_overview_create(round=planned.values["round"], by=by)
        version = overview.version
    if not fields:
        return overview
    return round_overview_save(overview=overview, expected_version=version, by=by, **fields)


WRITERS = {
    LocalAuthority: _council,
    RagDefinition: _rag_definition,
    KeyContact: _key_contact,
    Agreement: _agreement,
    PaymentInstalment: _payment,
    DeficitCap: _deficit_cap,
    MonitoringTierChange: _tier,
    ReportingRound: _round,
    AgreementCondition: _condition,
    ProgrammeArea: _area,
    Workstream: _workstream,
    Milestone: _milestone,
    WorkstreamSaving: _workstream_saving,
    Risk: _risk,
    DataSource: _source,
    Series: _series,
    Measure: _measure,
    HeadlineCard: _headline_card,
    ConditionUpdate: _condition_update,
    WorkstreamUpdate: _workstream_update,
    RiskUpdate: _risk_update,
    RoundOverview: _overview,
    FinanceLine: _finance_line,
}
