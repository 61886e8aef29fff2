"""The demo loader service: the four demo councils and their users, in one transaction."""

from dataclasses import dataclass

from django.db import transaction

from conditions.models import AgreementCondition, ConditionUpdate
from demo.data import eastmoor, northdale, westbridge, wiltshire
from demo.data.common import Tally
from demo.data.dsg_cyp import dsg_cyp_load
from demo.data.eastmoor_load import eastmoor_load
from demo.data.users import demo_administrator_load, demo_users_load
from metrics.models import MeasureValue
from metrics.services_cyp import cyp_categories_seed
from overview.topics import narrative_topics_seed
from risks.models import Risk
from svmonitor.models import Membership, ReportingRound


@dataclass
class CouncilSummary:
    """What the loader left in place for one council, and what this run created or changed."""

    slug: str
    tally: Tally

    def line(self) -> str:
        """One line of counts for the command's output."""
        counts = {
            "conditions": AgreementCondition.objects.filter(agreement__council__slug=self.slug),
            "rounds": ReportingRound.objects.filter(agreement__council__slug=self.slug),
            "condition updates": ConditionUpdate.objects.filter(
                round__agreement__council__slug=self.slug
            ),
            "risks": Risk.objects.filter(council__slug=self.slug),
            "measure values": MeasureValue.objects.filter(measure__council__slug=self.slug),
            "memberships": Membership.objects.filter(council__slug=self.slug),
        }
        shown = ", ".join(f"{qs.count()} {name}" for name, qs in counts.items())
        return f"{self.slug}: {shown}; {self.tally.summary()}"


@transaction.atomic
def demo_data_load() -> list[CouncilSummary]:
    """Load or refresh Wiltshire, Northdale, Eastmoor, Westbridge (a DSG plan, no Safety Valve
    agreement) and the demo users; a second run changes nothing.

    Eastmoor is imported from its workbook (fixtures/demo-eastmoor.xlsx) through the workbook
    import, acting as a site administrator, as a council's first upload is.
    """
    # The lists the migrations seed (the DSG plan's text topics, DfE's CYP categories), in case
    # the database was emptied since (a test's flush): the rounds and tables below name them.
    narrative_topics_seed()
    cyp_categories_seed()
    tallies = {wiltshire.SLUG: Tally(), northdale.SLUG: Tally(), eastmoor.SLUG: Tally()}
    tallies[westbridge.SLUG] = Tally()
    users_tally = Tally()
    councils = [
        wiltshire.council_upsert(tallies[wiltshire.SLUG]),
        northdale.council_upsert(tallies[northdale.SLUG]),
        eastmoor_load(tallies[eastmoor.SLUG], by=demo_administrator_load(users_tally)),
        westbridge.council_upsert(tallies[westbridge.SLUG]),
    ]
    # Users first, so submitted rounds can name the lead who recorded the submission.
    users = demo_users_load(users_tally, councils=councils)
    # Issue 19: illustrative EHCP comparators for every council, Wiltshire's CYP tables; before
    # the rounds, so the DSG term Wiltshire submitted freezes its CYP tables with the rest.
    dsg_cyp_load(councils, tallies)
    wiltshire.wiltshire_load(councils[0], tallies[wiltshire.SLUG], users=users)
    northdale.northdale_load(councils[1], tallies[northdale.SLUG], users=users)
    westbridge.westbridge_load(councils[3], tallies[westbridge.SLUG], users=users)
    summaries = [CouncilSummary(slug, tally) for slug, tally in tallies.items()]
    summaries.append(CouncilSummary("demo users", users_tally))
    return summaries
