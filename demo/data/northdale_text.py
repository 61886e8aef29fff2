"""Northdale's fixed wording: a fictional council, conditions 1-9, risks, areas and phrases."""

from svmonitor.choices import ContactRole, Rag

COUNCIL_NAME = "Northdale Borough Council"

RAG_LABELS = {
    Rag.BLUE: "B",
    Rag.GREEN: "G",
    Rag.AMBER_GREEN: "A/G",
    Rag.AMBER: "A",
    Rag.AMBER_RED: "A/R",
    Rag.RED: "R",
    Rag.NOT_RATED: "NR",
}

CONTACTS = [
    (ContactRole.CHIEF_EXECUTIVE, "Chief Executive"),
    (ContactRole.S151_OFFICER, "Director of Finance (S151 Officer)"),
    (ContactRole.DCS, "Director of Children's Services"),
    (ContactRole.OTHER, "Head of SEND Services"),
]

# label -> (title, wording, what the work is about, used to start each narrative)
CONDITIONS = {
    "1": (
        "In-year balance",
        "The authority will reach an in-year balance on its DSG account by the end of 2027-28 "
        "and keep it in each later year.",
        "High Needs spending against the agreed profile.",
    ),
    "2": (
        "Deficit within the annual caps",
        "The authority will keep the cumulative DSG deficit within the cap set for each year of "
        "the agreement.",
        "The cumulative deficit against this year's cap.",
    ),
    "3": (
        "Graduated response in mainstream",
        "Embed a consistent graduated response so that more needs are met in mainstream "
        "schools without an EHCP.",
        "The graduated response toolkit and SENCO support in mainstream schools.",
    ),
    "4": (
        "Fewer independent placements",
        "Reduce reliance on independent and non-maintained specialist placements.",
        "Placement decisions and the cost of specialist places.",
    ),
    "5": (
        "Resourced provision",
        "Open additional resourced provision places attached to mainstream schools.",
        "New resourced provision places.",
    ),
    "6": (
        "Timely assessment",
        "Complete EHC needs assessments within statutory timescales.",
        "The time taken from request to decision.",
    ),
    "7": (
        "Fewer disputes",
        "Reduce SEND tribunal appeals through early resolution and co-production with families.",
        "Mediation, early resolution meetings and tribunal appeals.",
    ),
    "8": (
        "Post-16 pathways",
        "Widen post-16 pathways into training, supported internships and employment.",
        "Supported internships and post-16 pathway planning.",
    ),
    "9": (
        "Joint commissioning",
        "Commission health, care and education support jointly with the integrated care board.",
        "Joint commissioning with health and social care.",
    ),
}

# Phrases for generated narratives, by RAG level.
RAG_PHRASES = {
    Rag.BLUE: [
        "The work is complete and the benefit is now counted in the forecast.",
        "Delivered in full; the board has closed the action.",
    ],
    Rag.GREEN: [
        "Actions due this quarter were delivered and the measures are moving as planned.",
        "On track, with the figures in line with the revised plan.",
        "Delivery is on schedule and partners report the changes are bedding in.",
    ],
    Rag.AMBER_GREEN: [
        "Slightly behind on one action; catch-up is agreed and due before the next return.",
        "Mostly on track; one measure lags the plan but is improving month on month.",
    ],
    Rag.AMBER: [
        "Behind plan: the trend is in the right direction but slower than forecast, and "
        "recovery actions are agreed.",
        "Off target this quarter; a recovery plan is in place and reported to the board monthly.",
        "Delivery has slipped by a term; mitigations are in hand.",
    ],
    Rag.AMBER_RED: [
        "At risk: recovery actions have not yet closed the gap, and the board has asked for a "
        "revised trajectory.",
        "Significantly behind plan; further mitigations are being costed.",
    ],
    Rag.RED: [
        "Off target, with no recovery yet in sight; the issue has been escalated to the board "
        "and discussed with DfE.",
        "Well behind plan; a deep dive has been commissioned to reset the approach.",
    ],
    Rag.NOT_RATED: ["Not assessed this quarter while the baseline is agreed."],
}

RISKS = [
    (
        "There is a risk that EHCP growth outpaces the revised plan.",
        "Higher placement costs and a deficit above the cap.",
        "Head of SEND Services",
        "Monthly tracking of requests and decisions; a panel reviews every new specialist "
        "placement.",
    ),
    (
        "There is a risk that resourced provision places open later than planned.",
        "Children wait for places or are placed out of area at higher cost.",
        "Head of Commissioning",
        "Fortnightly capital project reviews and early agreement with host schools.",
    ),
    (
        "There is a risk that mainstream schools cannot fund the graduated response.",
        "More requests for assessment and loss of confidence in inclusion.",
        "Head of Inclusion",
        "Targeted inclusion funding and termly SENCO network support.",
    ),
    (
        "There is a risk that recruitment of educational psychologists fails.",
        "Assessments slip beyond 20 weeks and disputes rise.",
        "Principal Educational Psychologist",
        "Trainee places, a market supplement and a shared service with a neighbouring council.",
    ),
    (
        "There is a risk that health partners cannot commit to joint funding.",
        "Costs fall to the High Needs Block alone.",
        "Director of Children's Services",
        "A joint funding protocol agreed at the health and wellbeing board.",
    ),
    (
        "There is a risk that inflation in independent placement fees exceeds the forecast.",
        "Average placement cost rises and savings are lost.",
        "Head of Commissioning",
        "Regional fee framework and annual negotiation with the main providers.",
    ),
]

# number -> (name, summary, conditions served, workstream names)
AREAS = {
    1: (
        "Inclusive mainstream",
        "Mainstream schools meet more needs earlier, with support and challenge.",
        ("3", "7"),
        ["Graduated response toolkit", "SENCO network and training", "Inclusion quality mark"],
    ),
    2: (
        "Local specialist places",
        "Enough local places so fewer children travel to independent schools.",
        ("4", "5"),
        ["Resourced provision expansion", "Special school satellite sites"],
    ),
    3: (
        "Timely and fair assessment",
        "Decisions on time, and disagreements resolved before tribunal.",
        ("6", "7"),
        ["Assessment hub", "Mediation and early resolution"],
    ),
    4: (
        "Adulthood and independence",
        "Young people leave education with a route into work or training.",
        ("8", "9"),
        ["Supported internships", "Post-16 pathway planning", "Joint health and care offer"],
    ),
}

MILESTONE_STAGES = [
    "Baseline agreed with schools",
    "Pilot in two localities",
    "Evaluation to the board",
    "Borough-wide launch",
]

HEADLINES = {
    "driver": [
        "Headteachers chairing locality inclusion panels has built shared ownership of "
        "placement decisions.",
        "The new assessment hub has cut the time families wait for a decision.",
        "A monthly data pack gives the board and schools the same picture of demand.",
        "Parent carer forum members now co-chair two workstreams.",
    ],
    "barrier": [
        "Educational psychologist vacancies continue to slow assessments.",
        "Capital works for resourced provision have been delayed by contractor availability.",
        "Independent placement fees have risen faster than forecast.",
    ],
    "engagement": [
        "Termly open meetings with parent carers in each locality.",
        "Young people's panel reviewed the post-16 pathway guide before publication.",
        "SENCO network co-designed the graduated response toolkit.",
        "Joint workshop with health partners on commissioning priorities.",
    ],
}
