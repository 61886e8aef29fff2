"""Wiltshire's round overviews and programme headlines for the three 2024-25 updates.

Update 1 and Update 3 follow their seed returns; the board RAG comes from the Schools Forum
paper (June 2024: green) and the portfolio dashboard (January 2025: amber/red). Update 2 is not
among the seeds: its answers are inferred from what Update 3 reports about August (in-year
target already missed on the Q1 forecast; the end-point still thought reachable; the capital
decision still awaited), its board RAG is a judgement, and it has no headlines.
"""

from svmonitor.choices import Rag, YesNo

NOT_NOW = "Not at this time."

OVERVIEWS = {
    1: {
        "values": {
            "deficit_this_year_on_track": YesNo.YES,
            "deficit_this_year_commentary": "On the Q3 2023-24 forecast and the 2024-25 budget, "
            "the council expects to stay within this year's deficit profile.",
            "zero_deficit_on_track": YesNo.YES,
            "zero_deficit_commentary": "Nothing in the monitoring so far suggests the DSG will "
            "not be in balance by the end of 2028-29.",
            "capital_project_on_track": "",
            "capital_project_commentary": "",
            "adviser_support_requested": "no",
            "adviser_support_detail": NOT_NOW,
            "overall_rag": Rag.GREEN,
            "overall_narrative": "The agreement was signed in March and delivery capacity is "
            "now in place. The first priorities, communication and governance and early "
            "inclusion support for schools, are under way, and the financial projections are on "
            "track. Two programme areas are amber: new special school places, because the "
            "capital decision is awaited, and preparation for adulthood, because delivery plans "
            "are still in draft.",
        },
        "headlines": {
            "driver": [
                "Clear communication and governance: stakeholders know what changes are coming, "
                "and schools, parent carers and young people have a voice on the programme.",
                "Investing early in inclusion support for schools, soft-launched now so that it "
                "is fully running by September.",
            ],
            "barrier": [
                "EHCP numbers are growing faster than forecast while the interventions have yet "
                "to take effect.",
            ],
            "engagement": [
                "Schools Forum's chair and vice-chair and the parent carer council sit on the "
                "programme board, and a Stakeholder Reference Group is being set up.",
            ],
        },
    },
    2: {
        "values": {
            "deficit_this_year_on_track": YesNo.NO,
            "deficit_this_year_commentary": "The Q1 forecast shows this year's deficit above "
            "the agreement's profile, because EHCPs and independent placements are above "
            "forecast.",
            "zero_deficit_on_track": YesNo.YES,
            "zero_deficit_commentary": "Further mitigations are being modelled and the council "
            "still expects to reach the agreement's end point.",
            "capital_project_on_track": YesNo.NO,
            "capital_project_commentary": "The decision on the capital bid is still awaited, "
            "which puts the timetable for the new special school in the south at risk.",
            "adviser_support_requested": "no",
            "adviser_support_detail": NOT_NOW,
            "overall_rag": Rag.AMBER,
            "overall_narrative": "Project activity is on plan, but EHCP growth above forecast "
            "now shows in the Q1 finance forecast.",
        },
        "headlines": {},
    },
    3: {
        "values": {
            "deficit_this_year_on_track": YesNo.NO,
            "deficit_this_year_commentary": "As reported in August on the Q1 forecast, this "
            "year's agreed deficit will not be met. The Q2 forecast has worsened by a further "
            "£5.05m, because demand stays above forecast and is leading to more placements in "
            "independent and non-maintained special schools.",
            "zero_deficit_on_track": YesNo.NO,
            "zero_deficit_commentary": "Modelling the effect of the plan running behind shows "
            "that the deficit can no longer be cleared within the five-year agreement. Good "
            "steps on inclusion, finance and post-16 work have not yet had a measurable effect "
            "in the first year, and costs have grown. A revised plan reaches balance seven years "
            "after the agreement began (April 2031), and the council would welcome a discussion "
            "with DfE about amending the agreement to match. Earlier routes to balance were "
            "explored, but none could be found without cutting support that children and young "
            "people with SEND need.",
            "capital_project_on_track": YesNo.YES,
            "capital_project_commentary": "After significant setbacks, including a long wait for "
            "the decision on the capital application, the project is back on track to deliver "
            "the planned places on time.",
            "adviser_support_requested": "yes",
            "adviser_support_detail": "Yes. A first meeting with both specialist advisers, early "
            "years and inclusion, was very useful and the council would like to keep working "
            "with them, in particular on using attitudinal data to support inclusion, enhanced "
            "provision in reception classes, and groups of three schools working together to "
            "support inclusion in mainstream schools.",
            "overall_rag": Rag.AMBER_RED,
            "overall_narrative": "At risk. Project activity is progressing well, but the data "
            "does not yet show its effect: the plan assumed results would come sooner than they "
            "have, and the revised plan now allows for that. EHCPs are about 650 above the "
            "forecast for this point, and this now shows in the finance as roughly £15m more "
            "overspend than expected this year. Requests for assessment appear to have levelled "
            "off, giving a stable base for the new forecast, though the council is checking that "
            "this is not demand held back that will return later.",
        },
        "headlines": {
            "driver": [
                "Long-standing relationships with the parent carer council and schools have made "
                "frank, well-informed conversations possible about how much SEND transformation "
                "is needed.",
                "Partners across the system engaged willingly as the plan was reworked, despite "
                "its complexity and the demands of the local area SEND inspection in October.",
                "Recruitment into the teams that work directly in schools has gone well, "
                "bringing in credible specialists such as secondary behaviour support advisory "
                "teachers and SEMH inclusion mentors.",
            ],
            "barrier": [
                "The local area SEND inspection took up key people across the partnership for "
                "about a month; leaders gave Safety Valve their full attention again once it "
                "ended.",
            ],
            "engagement": [
                "Co-design stayed central while the new mitigations were developed: three "
                "in-person parent carer events across the county in September and monthly live "
                "question-and-answer webinars led by senior education leaders.",
                "At the first Stakeholder Reference Panel, schools, parent carers and young "
                "people's representatives shaped the project proposals together.",
                "New EHCP top-up funding descriptors were worked up with small groups including "
                "the statutory SEND team and the community health provider, and consultation "
                "was run as live events so schools and parent carers could discuss the "
                "proposals, not only respond to them.",
            ],
        },
    },
}
