"""Wiltshire's conditions, risks and per-round narratives, paraphrased from the seed documents.

Condition wording and risk statements follow the published agreement and register; every
narrative is written afresh from the seeds' facts (no sentences copied, no personal names).
Update 2 (August 2024) is not among the seeds: its narratives only restate what Update 3 says
about August, kept short rather than invented.
"""

from svmonitor.choices import Rag

G, A, R, B, NR = Rag.GREEN, Rag.AMBER, Rag.RED, Rag.BLUE, Rag.NOT_RATED

# label -> (title, wording). The wording is the agreement's own.
CONDITIONS = {
    "1": (
        "Positive in-year DSG balance",
        "The authority undertakes to reach a positive in-year balance on its Dedicated Schools "
        "Grant (DSG) account by the end of 2028-29 and in each subsequent year.",
    ),
    "2": (
        "Control the cumulative deficit",
        "The authority undertakes to control and reduce the cumulative deficit, not exceeding "
        "£84.5m in financial year 2024/25.",
    ),
    "3.1": (
        "Earlier support and inclusion",
        "Provide earlier support for children and young people with SEND, improving inclusion "
        "practices and managing pressure points and school transitions.",
    ),
    "3.2": (
        "Right support, first time",
        "Prevent the need for escalation by providing the right support, first time, including a "
        "more holistic response alongside health and social care, with improved management and "
        "communication.",
    ),
    "3.3": (
        "Specialist and alternative places",
        "Increase the number of special school placements, resourced provision, and alternative "
        "provision to ensure that children and young people can access the support they need, "
        "with proper reintegration support for children who can be appropriately supported in "
        "mainstream provision.",
    ),
    "3.4": (
        "Preparation for adulthood",
        "Improve transition pathways to provide a range of opportunities for young people with "
        "SEND to prepare for adulthood, including training, further education, and employment.",
    ),
    "3.5": (
        "Culture of change",
        "Foster a culture of change across the Wiltshire SEND and AP system by engaging with "
        "partners and parent carers, improving trust and co-production across the sector.",
    ),
}

# The assurance levels as the Update 3 return records them (Update 1, 2, 3). Where the
# extraction lost a level it is "not rated": Condition 2 in Updates 2 and 3, and 3.2 in Update 3
# (its narrative calls the workstream green, but the rating cell itself is lost).
CONDITION_RAGS = {
    "1": (G, A, R),
    "2": (G, NR, NR),
    "3.1": (G, A, A),
    "3.2": (G, G, NR),
    "3.3": (A, A, A),
    "3.4": (A, A, A),
    "3.5": (G, G, G),
}

NOT_CAPTURED = "The assurance level for this update was not captured; see Condition 1 for the "
NOT_CAPTURED += "finance forecast that covers both financial conditions."

CONDITION_NARRATIVES = {
    "1": (
        "The 2023-24 outturn is not final yet, so this first return uses the Q3 2023-24 "
        "monitoring and the 2024-25 budget. On that basis the council expects to stay inside "
        "the agreed deficit profile and sees no sign that an in-year balance by 2028-29 is out "
        "of reach. Outturn and in-year forecasts will be refreshed for Update 2.",
        "The Q1 forecast shows this year's High Needs overspend running above the agreement's "
        "profile, driven by more EHCPs than forecast and more placements in independent special "
        "schools. Further mitigations are being modelled.",
        "The council no longer forecasts a positive in-year balance by the end of 2028-29; the "
        "mitigated forecast reaches it by the end of 2030-31. That forecast includes new targets "
        "to stabilise EHCP numbers by April 2026, the council's contribution and continued Safety "
        "Valve payments. It assumes High Needs income of £80.301m in 2025-26 (the provisional "
        "allocation, 7.9% above 2024-25) rising 3% a year after that, a 0.5% schools block "
        "transfer in 2025-26 and 1% in later years, and unit costs rising 2.2% a year. It also "
        "needs independent special school spending to fall below £4m by the end of the plan and "
        "every capital scheme to open on time. EHCPs at March 2031 are assumed to be 5,938, "
        "against 7,996 without mitigation. The council's contribution will have to rise above "
        "the £70.3m in the original plan, and the council will keep this under regular review.",
    ),
    "2": (
        "The Q3 2023-24 forecast matches the agreement and the 2024-25 budget, so the cumulative "
        "deficit is expected to stay under this year's £84.5m limit. Placement mix and unit "
        "costs will be looked at again once the outturn is confirmed; the finance summary sets "
        "out the savings expected from each condition.",
        NOT_CAPTURED,
        NOT_CAPTURED,
    ),
    "3.1": (
        "Work has started on the support network schools asked for while the plan was being "
        "written: inclusion advisers who start in schools in September, free whole-school SEND "
        "and inclusion training, a stronger SENCO network, autism and neurodiversity programmes, "
        "and early years pathway navigators. As planned, the long-term measures have not moved "
        "yet. EHCP numbers are above the pro-rata forecast and assessment requests remain high "
        "but level. Clearing the assessment backlog in six months rather than two years could "
        "add about 350 plans and will change the plan's profile; the effect is being analysed "
        "for the next return.",
        "The preventative support for schools is being delivered as planned, but EHCP numbers "
        "keep rising faster than forecast, so the condition moves to amber. The assessment "
        "backlog is falling quickly, which brings plans forward in the short term.",
        "The local area SEND inspection awarded the highest outcome and singled out the county's "
        "inclusive education system and early help offer, which confirms the direction of the "
        "plan. The preventative work due this quarter was delivered, but it is not yet slowing "
        "EHCP growth: 6,161 plans in October against a forecast of 5,669. Assessment requests "
        "are steady at their highest ever level, and clearing the backlog (now its lowest since "
        "2020) has brought more plans forward. New analysis shows strong early years demand, "
        "very few plans ending because outcomes are met, refusal rates below statistical "
        "neighbours, a steady shift towards specialist placements, plans funded at higher "
        "bands, and growth concentrated in SEMH and speech, language and communication needs. "
        "The council has set a target to stabilise EHCP numbers by April 2026 through four "
        "focused projects: a small team working intensively with families for six to eight "
        "weeks, earlier early help assessments in early years with pathway navigators from "
        "January 2025, targeted support for schools that are outliers on inclusion, and "
        "prioritising reviews of plans close to meeting all outcomes. Together these should slow "
        "growth by about 39 plans a month, around £30m over the life of the plan.",
    ),
    "3.2": (
        "Locality multi-disciplinary teams bring health and social care colleagues alongside "
        "education, and Family Hubs sit at the centre of early support. Fewer plans were issued "
        "within 20 weeks than planned, so statutory SEND staffing, including educational "
        "psychology, is growing and agency psychologists are helping to clear the backlog. The "
        "resource base model is being redesigned with health, therapy and mental health "
        "colleagues, and joint commissioning of speech and language therapy is improving.",
        "Activity is on track. Family Hubs are working well as the front door to early support "
        "and the SEND early help line is being prepared for launch.",
        "Planned activity is on track. The share of children with plans in independent and "
        "non-maintained special schools was broadly flat (5.86% in July, 5.62% in October): one "
        "placement fewer, though 44 more than a year before. A toolkit written with the ICB to "
        "help mainstream schools manage medical needs launches in January 2025. The SEND early "
        "help line has launched after a delay caused by the inspection, and consultation on EHCP "
        "top-up funding is open. New action aims to cut growth in independent placements by 20% "
        "by April 2026 through step-downs at annual review and new assistant education officer "
        "posts.",
    ),
    "3.3": (
        "Amber for two reasons. The decision on the Safety Valve capital bid for new special "
        "school places in the south of the county is still awaited, with no timetable, and bad "
        "weather has delayed an expansion in the north, which is now likely to open a term late "
        "in January 2025. The share of the cohort in independent special schools has edged up. "
        "Tendering for more alternative provision and planning for SEMH provision are under way.",
        "Good progress on places overall, but special school places are behind plan and the "
        "capital decision was still awaited over the summer.",
        "Still amber. Only 98 of the 156 special school places due in September opened: a new "
        "free school could not fill to its planned numbers and registration of an independent "
        "provision on council premises was delayed. Capital for the special school in the south "
        "of the county is now confirmed, and the 120-place school is on course to open in "
        "September 2025. A pipeline of new secondary resource bases opens from September 2025. "
        "A provider will run SEMH provision for up to 75 pupils in a council building once "
        "registered in early 2025, and a new tender for 50 alternative provision places starts "
        "within three months.",
    ),
    "3.4": (
        "Preparatory work is under way but delivery plans are still in draft, hence amber. An "
        "experienced post-16 project manager starts in August, the preparation for adulthood "
        "team has grown, and meetings with post-16 providers are shaping a more strategic "
        "approach. The aim is to reach green by November.",
        "The post-16 project manager has started and the pathway plan is being drafted. Still "
        "amber, with green expected by November.",
        "Green was expected by now but has not been reached: project activity is on time, yet "
        "plans ceased fell from 32 to 28 a month (12-month rolling average). Many young people "
        "move into education or employment, but more plans need to end at the right point. A "
        "guide to pathways for young people with SEND will be published early next year, and "
        "the Post-16 Partnership and Strategy group now steers the work across the system.",
    ),
    "3.5": (
        "A new SEND communications post is funded. The High Needs Block Sustainability Board, "
        "chaired by the council's chief executive with the ICB's chief executive as deputy, "
        "includes Schools Forum and the parent carer council. A Stakeholder Reference Group of "
        "parent carers, SENCOs, headteachers and young people is being set up for detailed "
        "co-design, alongside regular work with Schools Forum, headteacher briefings and the "
        "special schools' System of Excellence group.",
        "Engagement remains strong. Members of the Stakeholder Reference Panel have been "
        "recruited and parent carer events are planned for September.",
        "The Stakeholder Reference Panel held its first full meeting, covering the inclusion "
        "charter, EHCP funding, the SEMH graduated response, early years specialist support and "
        "behaviour support. A 'you said, we did' report followed, and members' confidence that "
        "the projects will improve outcomes rose by just over 10%. Project managers involve the "
        "parent carer council, Schools Forum and the System of Excellence group early. An "
        "in-house replacement for the previous parent survey goes live early in 2025 to track "
        "culture change.",
    ),
}

# number -> (title, mitigation, owner role, (impact, likelihood) per update, RAGs, narratives).
# The DfE register gives no scores: impact and likelihood here are illustrative, chosen to sit
# below the key-risk threshold of 15 as the board dashboard (which shows only two risks) implies.
RISKS = {
    1: {
        "title": "There is a risk that unpredictability in the system could lead to the "
        "authority failing to meet financial targets despite the plan working.",
        "mitigation": "Take as much unpredictability out of the system as possible: clear the "
        "backlog of needs assessments, map and tighten financial decision-making, and make "
        "funding decisions visible to partners so they can plan.",
        "owner_role": "High Needs Block Finance Lead",
        "scores": ((4, 3), (4, 3), (4, 3)),
        "rags": (G, G, G),
        "narratives": (
            "The assessment backlog is due to be cleared within six months; mapping of "
            "financial decision-making will be finished by July.",
            "Backlog clearance is on its accelerated timetable and a review of how EHCPs are "
            "funded has begun.",
            "Extra educational psychologist capacity keeps the backlog on course to be cleared "
            "by April 2025. Proposals for a new EHCP funding scheme are out to consultation; "
            "they should cut ad hoc payments and banding requests that are not driven by need.",
        ),
    },
    2: {
        "title": "There is a risk that a failure to maintain trusted relationships could "
        "fundamentally erode faith in the inclusive vision for our SEND system.",
        "mitigation": "Keep stakeholders close and co-design the projects with them; stress "
        "co-design and better outcomes in every message; deliver early quick wins that people "
        "can see.",
        "owner_role": "Inclusion, SEND and AP Transformation Lead",
        "scores": ((4, 2), (4, 2), (4, 2)),
        "rags": (G, G, G),
        "narratives": (
            "The programme board is in place, the stakeholder reference group is being formed, "
            "and surveys from the plan's development are shaping the quick wins.",
            "Relationships remain strong and reference panel members have been recruited.",
            "The local area inspection recognised good working relationships, the first "
            "reference panel fed into the projects, and open work with the parent carer council "
            "continues. Headteachers have raised strong concerns about whether schools can "
            "afford a 1% schools block transfer, and the council is looking at mitigations.",
        ),
    },
    3: {
        "title": "There is a risk that partners struggle to engage at the required pace, "
        "leading to a slower pace of change than the plan needs.",
        "mitigation": "Check in with partners regularly about pace and progress, accept that "
        "their priorities differ because the financial risk sits with the council, and set out "
        "clearly what each partner gains.",
        "owner_role": "Director of Education and Skills",
        "scores": ((3, 3), (3, 2), (3, 2)),
        "rags": (A, G, G),
        "narratives": (
            "What the plan means for schools has been defined and is being communicated; the "
            "same for other partners is due by July.",
            "Implications have been set out for all partners and engagement has kept pace.",
            "The benefits for schools and settings have been explained further, and Schools "
            "Forum and the ICB have restated their commitment to the plan.",
        ),
    },
    4: {
        "title": "There is a risk that failure to access the required capital leaves the "
        "system reliant on expensive independent special school places.",
        "mitigation": "A £5.7m Safety Valve capital request would extend a special school in the "
        "south of the county by 120 places; other schemes already have capital. Alternatives "
        "were considered, but none would reduce reliance on independent placements while "
        "meeting statutory duties at such good value.",
        "owner_role": "Director of Education and Skills",
        "scores": ((4, 3), (4, 3), (4, 1)),
        "rags": (A, A, B),
        "narratives": (
            "Capital is allocated to the other schemes. The Safety Valve bid is still undecided "
            "after a request for more information and may slip further because of the general "
            "election, which would threaten delivery on time without other funding.",
            "The bid decision is still awaited; the council is reviewing its capital portfolio "
            "to protect the scheme.",
            "Capital has been secured and work is progressing.",
        ),
    },
    5: {
        "title": "There is a risk that system partners struggle to recruit or resource the "
        "changes required in our system, leading to failed attempts at change.",
        "mitigation": "Keep key partners involved in decisions so the programme's effect on "
        "their services is understood, watch for unintended consequences, and help with "
        "recruitment where possible.",
        "owner_role": "Inclusion, SEND and AP Transformation Lead",
        "scores": ((3, 3), (3, 3), (3, 3)),
        "rags": (A, A, A),
        "narratives": (
            "Partners are engaged at a strategic level and monitoring is in place; special "
            "schools are getting help with recruitment.",
            "No change: partners remain engaged and recruitment help for special schools "
            "continues.",
            "Partners remain fully engaged, and recruitment help for special schools continues "
            "so they can staff the changes.",
        ),
    },
}

# The board dashboard's two key risks (January 2025) are not in the DfE register. They are
# numbered 6 and 7 and, because they post-date the Update 3 return, get their first update in
# the 2025-26 draft rather than being added to a return already submitted.
BOARD_RISKS = {
    6: {
        "title": "If EHCP growth is stronger than forecast, the programme will not meet its "
        "trajectory.",
        "impact_description": "More financial pressure on the council, and DfE may withhold "
        "Safety Valve payments.",
        "owner_role": "Director of Education and Skills",
        "score": (5, 4),
        "rag": R,
        "action_required": "The risk has become an issue: the plan is being reforecast to set "
        "a new trajectory, which will then be monitored.",
    },
    7: {
        "title": "There is a risk that the capital programme does not reduce placements in "
        "independent special schools.",
        "impact_description": "These costly placements keep rising and push the deficit up.",
        "owner_role": "Director of Education and Skills",
        "score": (4, 4),
        "rag": A,
        "action_required": "Deliver the plan and make sure the revised plan's mitigations are "
        "realistic.",
    },
}
