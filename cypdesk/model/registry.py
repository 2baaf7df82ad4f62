"""Every mapped class, registered: importing this module makes ``Base.metadata`` the
whole schema. ``KINDS`` maps the command line's KIND and TABLE names (the plural table
names of DESIGN.md section 9) to their classes.
"""

from __future__ import annotations

from cypdesk.model.base import APPLICATION_ID, Base, Record, link_id, new_id
from cypdesk.model.budgets import Agreement, AgreementPartner, AgreementService, BudgetReturn, Contribution
from cypdesk.model.monitoring import Action, Appendix, Measure, Measurement, Meeting, Paper, Recommendation, Risk
from cypdesk.model.papers import ForwardPlanItem, PaperSection, PaperSnapshot, PaperTemplate
from cypdesk.model.needs import Evidence, EvidenceTag, Indicator, IndicatorOutcome, IndicatorValue, Priority, PriorityLink
from cypdesk.model.reference import Area, ComparatorMember, ComparatorSet, Group, Organisation, OrganisationMerge, Outcome, Person
from cypdesk.model.services import (
    Contract, Decommissioning, Payment, Service, ServiceArea, ServiceCommissioner, ServiceFunding,
    ServiceGroup, ServiceOutcome,
)
from cypdesk.model.system import (
    BOOKKEEPING_TABLES, Conflict, DocumentInfo, FieldVersion, History, ImportRecord, InstallationSeen, MergePeer,
    Tombstone, WithheldField,
)
from cypdesk.model.teams import Membership, Team

# In dependency order: a kind only refers to kinds before it (merge, import and the
# demo insert in this order).
RECORD_CLASSES: tuple[type[Record], ...] = (
    Organisation, Person, OrganisationMerge, Outcome, Group, Area, ComparatorSet, ComparatorMember,
    ImportRecord,
    Indicator, IndicatorOutcome, IndicatorValue, Evidence, EvidenceTag, Priority, PriorityLink,
    Team, Membership,
    Service, ServiceOutcome, ServiceGroup, ServiceArea, ServiceCommissioner, ServiceFunding,
    Contract, Payment, Decommissioning,
    Agreement, AgreementPartner, AgreementService, Contribution, BudgetReturn,
    Measure, Measurement, Risk, Meeting, PaperTemplate, Paper, Recommendation, Action, Appendix,
    PaperSection, ForwardPlanItem, PaperSnapshot,
)

KINDS: dict[str, type[Record]] = {cls.__tablename__: cls for cls in RECORD_CLASSES}


def kind_of(name: str) -> type[Record]:
    """The record class for a KIND or TABLE name (``services``, ``indicator_values``)."""
    try:
        return KINDS[name.strip().lower().replace("-", "_").replace(" ", "_")]
    except KeyError:
        from cypdesk.common.errors import UsageError

        raise UsageError(f"There is no kind of record called {name!r}. Kinds: {', '.join(sorted(KINDS))}.") from None


__all__ = [
    "APPLICATION_ID", "BOOKKEEPING_TABLES", "Base", "KINDS", "RECORD_CLASSES", "Record", "kind_of", "link_id", "new_id",
    "Action", "Agreement", "AgreementPartner", "AgreementService", "Appendix", "Area", "BudgetReturn", "ComparatorMember",
    "ComparatorSet", "Contract", "Contribution", "Decommissioning", "DocumentInfo", "ForwardPlanItem", "Evidence", "EvidenceTag",
    "Conflict", "FieldVersion", "Group", "History", "ImportRecord", "Indicator", "IndicatorOutcome", "IndicatorValue",
    "InstallationSeen", "Measure", "Measurement", "MergePeer", "Meeting", "Membership", "Organisation", "OrganisationMerge", "Outcome", "Paper", "PaperSection", "PaperSnapshot", "PaperTemplate",
    "Payment", "Person", "Priority", "PriorityLink", "Recommendation", "Risk", "Service", "ServiceArea",
    "ServiceCommissioner", "ServiceFunding", "ServiceGroup", "ServiceOutcome", "Team", "Tombstone", "WithheldField",
]
