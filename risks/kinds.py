"""The risk's section as the shared section views and the round page need it."""

from __future__ import annotations

from risks.forms import RiskUpdateForm
from risks.models import RiskUpdate
from risks.services import risk_update_save
from svmonitor.section_rows import RatedKind

RISK = RatedKind(
    kind="risk",
    model=RiskUpdate,
    key="risk_id",
    related=("risk", "updated_by"),
    title=lambda u: f"Risk {u.risk.number}",
    form_class=RiskUpdateForm,
    fields=("rag", "narrative", "impact", "likelihood", "in_dfe_report"),
    save=risk_update_save,
)
