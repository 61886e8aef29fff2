"""The texts a kind of return asks for each round (overview.NarrativeTopic rows): the DSG deficit
management plan's narratives, stakeholder engagement and Schools Forum paper sections. The data
migration (overview/migrations/0004_dsg_topics.py, its own frozen copy) puts them in place;
`narrative_topics_seed` does the same where they are missing (a database a test emptied, a
fresh demo)."""

from __future__ import annotations

from overview.models import NarrativeTopic

DSG = "dsg_plan"
TOPICS = [
    (
        "narrative",
        "financial_plan",
        "Financial plan",
        "How the plan brings the High Needs Block back into balance, and what the council and its "
        "partners are doing to get there.",
        True,
    ),
    (
        "narrative",
        "high_needs_trends",
        "High needs trends",
        "What the demand for specialist support and its cost have done, and why.",
        True,
    ),
    (
        "narrative",
        "outcomes",
        "Outcomes",
        "What the plan is doing for children and young people with SEND, and how you know.",
        True,
    ),
    (
        "stakeholders",
        "schools_forum",
        "Schools Forum",
        "How the Schools Forum has been involved in the plan this term.",
        True,
    ),
    (
        "stakeholders",
        "education_settings",
        "Education settings",
        "Engagement with early years settings, schools, colleges and special schools.",
        True,
    ),
    (
        "stakeholders",
        "parents_carers",
        "Parents and carers",
        "Engagement with parents and carers, including the parent carer forum.",
        True,
    ),
    (
        "stakeholders",
        "children_young_people",
        "Children and young people",
        "How children and young people have been heard.",
        True,
    ),
    (
        "stakeholders",
        "elected_members",
        "Elected members",
        "Briefings and decisions of elected members and committees.",
        True,
    ),
    (
        "stakeholders",
        "health_partners",
        "Health partners",
        "Engagement with the integrated care board and other health partners.",
        True,
    ),
    (
        "paper",
        "purpose",
        "Purpose of the report",
        "What the paper is for, in a sentence or two.",
        True,
    ),
    (
        "paper",
        "recommendations",
        "Recommendations",
        "What the Schools Forum is asked to note or agree.",
        True,
    ),
    (
        "paper",
        "background",
        "Background",
        "The plan, the agreement behind it and what has happened since the last paper.",
        True,
    ),
    (
        "paper",
        "decisions",
        "Decisions sought",
        "Any decision the Schools Forum is asked to take (leave empty if none).",
        False,
    ),
]


def narrative_topics_seed() -> int:
    """Add any of the topics above that is missing (a title a migration changed stays as it
    is); how many were added."""
    have = set(NarrativeTopic.objects.filter(return_kind=DSG).values_list("key", flat=True))
    positions: dict[str, int] = {}
    added = 0
    for group, key, title, hint, required in TOPICS:
        positions[group] = positions.get(group, 0) + 1
        if key in have:
            continue
        NarrativeTopic.objects.create(
            return_kind=DSG,
            group=group,
            key=key,
            title=title,
            hint=hint,
            position=positions[group],
            required=required,
        )
        added += 1
    return added
