"""The DfE portfolio compares councils in DfE's own RAG words, whatever each council's notation."""

import datetime as dt

import pytest

from reports.portfolio import portfolio_rows
from svmonitor.choices import Rag
from tests.factories import ConditionUpdateFactory, RagDefinitionFactory, UserFactory


@pytest.mark.django_db
def test_a_council_with_letter_labels_is_shown_in_dfe_words():
    update = ConditionUpdateFactory(
        round__status="submitted", round__submitted_on=dt.date(2024, 12, 11), rag=Rag.AMBER_GREEN
    )
    council = update.round.agreement.council
    RagDefinitionFactory(council=council, level=Rag.AMBER_GREEN, label="A/G", dfe_level=Rag.AMBER)
    RagDefinitionFactory(council=council, level=Rag.AMBER, label="A", dfe_level=Rag.AMBER)
    admin = UserFactory(username="site-admin", is_superuser=True)

    (row,) = portfolio_rows(user=admin)

    (condition,) = row.conditions
    assert condition.code == Rag.AMBER
    assert condition.word == "Amber"
