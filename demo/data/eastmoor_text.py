"""Eastmoor's words: conditions, progress updates, risks, overview and headlines (all invented).

Eastmoor is a fictional council. Its return is written the way many councils write theirs:
twelve numbered conditions, KPIs listed under the condition they evidence, risks rated by RAG
only, and its money given as figures in the narrative (it keeps no finance tables in svmonitor).
"""

# (label, title, wording)
CONDITIONS = [
    (
        "1",
        "Inclusive practice in every mainstream school",
        "Roll out the Eastmoor inclusion standard so that every mainstream school has a trained "
        "inclusion lead and a costed plan for meeting needs without an EHCP.",
    ),
    (
        "2",
        "Earlier help through the graduated approach",
        "Offer advice and outreach from the Learning Support Service at SEN support, so that "
        "needs are met earlier and fewer requests for assessment are made.",
    ),
    (
        "3",
        "EHC needs assessments completed on time",
        "Complete EHC needs assessments within the statutory 20 weeks, with advice from health "
        "and social care arriving within six weeks.",
    ),
    (
        "4",
        "Annual reviews that change plans",
        "Hold every annual review on time and use it to step support down, or to cease plans "
        "where outcomes have been met.",
    ),
    (
        "5",
        "More specialist places close to home",
        "Open 180 resourced-provision and special school places in Eastmoor by September 2026.",
    ),
    (
        "6",
        "Less reliance on independent special schools",
        "Reduce new placements in independent and non-maintained special schools and return "
        "pupils to local provision where families agree.",
    ),
    (
        "7",
        "Preparation for adulthood and post-16 routes",
        "Widen supported internships and further education routes so that young people move "
        "on from plans into work, study or independent living.",
    ),
    (
        "8",
        "Fewer exclusions and better alternative provision",
        "Cut permanent exclusions of pupils with SEND and commission alternative provision "
        "that returns pupils to school.",
    ),
    (
        "9",
        "Joint commissioning with the integrated care board",
        "Agree shared funding and waiting-time targets for therapies with the integrated care "
        "board.",
    ),
    (
        "10",
        "Working with families to avoid disputes",
        "Resolve disagreements early through key workers and mediation so that fewer appeals "
        "reach the tribunal.",
    ),
    (
        "11",
        "Travel independence and sustainable transport",
        "Train pupils to travel independently and replace single-occupancy taxis with shared "
        "routes and personal travel budgets.",
    ),
    (
        "12",
        "Financial recovery and reporting",
        "Bring the Dedicated Schools Grant back into balance by 2028-29 and report the high "
        "needs position to Schools Forum every term.",
    ),
]

# Progress updates by condition label, one per 2024-25 update (1, 2, 3): (RAG, narrative).
CONDITION_UPDATES = {
    "1": [
        (
            "Amber",
            "Fifty-eight of 96 mainstream schools have signed up to the inclusion standard; "
            "training for inclusion leads starts in June.",
        ),
        (
            "Amber/Green",
            "Seventy-four schools have signed up and 41 inclusion leads have finished "
            "the first training module.",
        ),
        (
            "Green",
            "All 96 mainstream schools have signed up; 88 have an inclusion lead in post "
            "and the first costed plans are being checked by the inclusion panel.",
        ),
    ],
    "2": [
        (
            "Amber",
            "The Learning Support Service outreach offer launched in April with six "
            "specialist teachers covering three school clusters.",
        ),
        (
            "Amber",
            "Outreach has reached 212 pupils at SEN support. Requests for assessment "
            "remain above plan in the north cluster.",
        ),
        (
            "Amber/Green",
            "Outreach now covers all five clusters. Requests for assessment in "
            "October were 9% below October last year.",
        ),
    ],
    "3": [
        (
            "Red",
            "Only 38% of assessments finished within 20 weeks in April because of a backlog "
            "of educational psychology advice.",
        ),
        (
            "Amber/Red",
            "Two locum educational psychologists have cleared 64 overdue pieces of "
            "advice; timeliness rose to 52% in July.",
        ),
        (
            "Amber",
            "Timeliness reached 61% in October. Health advice within six weeks is the "
            "remaining delay and is raised monthly with the integrated care board.",
        ),
    ],
    "4": [
        ("Amber", "A new annual review team of four officers started in May."),
        (
            "Amber",
            "Reviews held on time rose to 67%; 23 plans were ceased because outcomes were met.",
        ),
        (
            "Green",
            "Reviews held on time reached 81% in October and a further 31 plans ceased "
            "with families' agreement.",
        ),
    ],
    "5": [
        (
            "Green",
            "Planning consent was granted for the 40-place extension at Harrowfield "
            "special school.",
        ),
        ("Green", "Two resourced provisions (24 places) opened in September as planned."),
        (
            "Amber/Green",
            "Harrowfield building work is four weeks behind after a contractor "
            "change; opening is still expected for September 2025.",
        ),
    ],
    "6": [
        (
            "Red",
            "New independent special school placements ran at six a month against a plan of three.",
        ),
        (
            "Amber/Red",
            "The placement panel now sees every independent request; new placements "
            "fell to four a month over the summer.",
        ),
        (
            "Amber",
            "Three pupils returned to local provision this term. New independent "
            "placements averaged three a month since August.",
        ),
    ],
    "7": [
        ("Amber", "Eastmoor College agreed 20 supported internship places for September."),
        (
            "Green",
            "All 20 internships are filled and the employer network has grown to 35 businesses.",
        ),
        (
            "Green",
            "Sixteen interns are on track to complete; nine have been offered paid work "
            "at the end of the year.",
        ),
    ],
    "8": [
        (
            "Amber/Red",
            "Permanent exclusions of pupils with SEND were higher than the same period last year.",
        ),
        (
            "Amber",
            "The inclusion hub opened in June with 12 places for pupils at risk of exclusion.",
        ),
        ("Amber", "Nineteen of 27 hub pupils have returned to their mainstream school full time."),
    ],
    "9": [
        (
            "Amber",
            "A draft section 75 agreement for speech and language therapy is with the "
            "integrated care board.",
        ),
        (
            "Amber",
            "The board approved joint funding of £1.2m a year for therapies from April 2025.",
        ),
        (
            "Amber/Green",
            "Therapy waiting lists have a shared 18-week target; recruitment for "
            "the joint team has begun.",
        ),
    ],
    "10": [
        ("Green", "Two key workers joined the SEND Information, Advice and Support Service."),
        ("Green", "Mediation cases closed without an appeal rose to 71% this year."),
        (
            "Green",
            "Tribunal registrations fell to 4 in the quarter, the lowest since the "
            "agreement began.",
        ),
    ],
    "11": [
        ("Amber", "The travel training pilot has trained 14 pupils to travel on their own."),
        (
            "Amber/Green",
            "Forty-one single-occupancy taxi routes were merged into shared routes "
            "over the summer.",
        ),
        (
            "Amber/Green",
            "Personal travel budgets were taken up by 58 families; transport "
            "spend is forecast at £6.9m against a £7.3m budget.",
        ),
    ],
    "12": [
        (
            "Amber",
            "The high needs block ended 2023-24 with an in-year deficit of £5.4m, £0.6m "
            "better than the agreement profile. The cumulative DSG deficit stood at £23.1m.",
        ),
        (
            "Amber",
            "At month 4 the 2024-25 in-year deficit is forecast at £4.8m against an "
            "agreement profile of £4.2m; placement costs account for the £0.6m gap.",
        ),
        (
            "Amber/Red",
            "At month 6 the 2024-25 in-year deficit is forecast at £5.1m against "
            "£4.2m in the profile, taking the cumulative deficit to £28.2m by 31 March 2025.",
        ),
    ],
}

# (number, there is a risk that, impact, owner role, mitigation)
RISKS = [
    (
        1,
        "demand for EHC needs assessments keeps rising faster than the plan assumes",
        "More plans and higher costs than the deficit recovery profile allows",
        "Head of SEND",
        "Outreach at SEN support and a monthly review of requests by cluster",
    ),
    (
        2,
        "educational psychology capacity falls short of statutory advice deadlines",
        "Assessments miss the 20-week limit and families lose confidence",
        "Principal Educational Psychologist",
        "Locum cover and a trainee psychologist scheme",
    ),
    (
        3,
        "the Harrowfield extension opens late or over budget",
        "Pupils placed out of area for longer, at higher cost",
        "Head of Capital Programmes",
        "Fortnightly contractor meetings and a held contingency",
    ),
    (
        4,
        "independent school fees rise by more than the inflation assumed",
        "Placement costs exceed the forecast",
        "Head of Commissioning",
        "Regional fee framework and annual fee negotiations",
    ),
    (
        5,
        "mainstream schools do not take up the inclusion standard",
        "Needs go unmet in mainstream and requests for assessment continue to rise",
        "Head of Inclusion",
        "Headteacher champions and termly inclusion funding rounds",
    ),
    (
        6,
        "health partners cannot fund their share of therapies",
        "Therapy costs fall on the high needs block",
        "Director of Commissioning, integrated care board",
        "Section 75 agreement with agreed shares",
    ),
    (
        7,
        "home to school transport costs keep growing",
        "General fund pressure and less room to support the DSG recovery",
        "Head of Passenger Transport",
        "Travel training, shared routes and personal budgets",
    ),
    (
        8,
        "the service cannot recruit and keep SEND case officers",
        "Slower assessments and reviews, and weaker family relationships",
        "Head of SEND",
        "Market supplement and a career grade for case officers",
    ),
]

# RAG per risk per update (1, 2, 3), with the update's words.
RISK_UPDATES = {
    1: [
        ("Red", "Requests averaged 61 a month against 48 in the plan."),
        ("Red", "Requests averaged 57 a month over the summer term."),
        ("Amber", "Requests fell to 49 in October after outreach reached every cluster."),
    ],
    2: [
        ("Red", "Backlog of 64 pieces of advice."),
        ("Amber/Red", "Backlog cleared by locums; two permanent posts advertised."),
        ("Amber", "One permanent psychologist appointed; one post still vacant."),
    ],
    3: [
        ("Green", "Planning consent granted."),
        ("Green", "Work started on site in July."),
        ("Amber", "Four weeks behind after the change of contractor."),
    ],
    4: [
        ("Amber", "Fee uplifts averaged 6.5% this year."),
        ("Amber", "Three providers asked for mid-year uplifts, all refused."),
        ("Amber", "Regional framework rates agreed for 2025-26."),
    ],
    5: [
        ("Amber", "Fifty-eight schools signed up."),
        ("Amber/Green", "Seventy-four schools signed up."),
        ("Green", "All mainstream schools signed up."),
    ],
    6: [
        ("Amber", "Section 75 agreement in draft."),
        ("Green", "Joint funding approved by the board."),
        ("Green", "Joint team recruitment under way."),
    ],
    7: [
        ("Red", "Transport spend forecast £7.6m against a £7.3m budget."),
        ("Amber", "Shared routes are saving £0.2m a year."),
        ("Amber", "Forecast down to £6.9m."),
    ],
    8: [
        ("Amber", "Three case officer posts vacant."),
        ("Amber", "Market supplement agreed."),
        ("Green", "All case officer posts filled."),
    ],
}

# The overview of each update: (overall RAG, overall narrative, deficit this year on track,
# commentary, zero deficit on track, commentary, capital on track, commentary, adviser support,
# what support).
OVERVIEWS = {
    1: (
        "Amber",
        "The programme is broadly on plan; assessment timeliness and independent placements "
        "are the two areas off track.",
        "No",
        "The high needs block ended 2023-24 with a £5.4m in-year deficit; 2024-25 is forecast "
        "at £4.5m against £4.2m in the agreement profile.",
        "Yes",
        "The recovery plan still reaches an in-year balance in 2027-28 and clears the deficit "
        "in 2028-29.",
        "Yes",
        "The Harrowfield extension has planning consent and is on budget at £6.3m.",
        "No",
        "",
    ),
    2: (
        "Amber",
        "Assessment timeliness is improving and the summer resourced provisions opened on time.",
        "No",
        "At month 4 the in-year deficit is forecast at £4.8m, £0.6m above the profile.",
        "Yes",
        "Savings from local places are expected to close the gap from 2025-26.",
        "Yes",
        "Building work started in July within the £6.3m budget.",
        "Yes",
        "Advice on commissioning independent places through the regional framework.",
    ),
    3: (
        "Amber",
        "Most conditions are on track or improving; placement costs keep the finance condition "
        "at Amber/Red.",
        "No",
        "At month 6 the in-year deficit is forecast at £5.1m against £4.2m in the profile; the "
        "cumulative deficit is forecast at £28.2m on 31 March 2025.",
        "Yes",
        "The refreshed plan still clears the deficit in 2028-29, with £2.3m of savings a year "
        "from local specialist places.",
        "No",
        "Harrowfield is four weeks late; cost to complete is £6.5m against the £6.3m budget.",
        "Not answered",
        "",
    ),
}

# Headlines of each update by kind, in order.
HEADLINES = {
    1: {
        "driver": [
            "Inclusion standard launched with 58 schools",
            "Outreach offer at SEN support started",
        ],
        "barrier": ["Educational psychology backlog"],
        "engagement": ["Parent carer forum co-produced the inclusion standard"],
    },
    2: {
        "driver": [
            "Two resourced provisions opened on time",
            "Annual reviews ceasing plans where outcomes are met",
        ],
        "barrier": ["Independent placements above plan", "Health advice delays"],
        "engagement": ["Summer roadshows in every cluster"],
    },
    3: {
        "driver": [
            "Every mainstream school signed up to the inclusion standard",
            "Timeliness of assessments up to 61%",
            "Tribunal registrations at their lowest",
        ],
        "barrier": ["Harrowfield build delay", "Placement costs above profile"],
        "engagement": [
            "Young people's panel reviewed the transport offer",
            "Headteacher champions met termly",
        ],
    },
}

# (role, job title): role titles only, no one's name.
CONTACTS = [
    ("Chief executive", "Chief Executive"),
    ("S151 officer", "Director of Resources (S151 Officer)"),
    ("Director of children's services", "Corporate Director, Children and Families"),
    ("Other key contact", "Head of SEND and Inclusion"),
]
