"""The demo's needs assessment: its indicators with six years of values for the trust,
England and the statistical neighbours, and the consultation evidence and priorities
that follow from them. A part of :class:`cypdesk.services.demo._Builder`."""

from __future__ import annotations

from datetime import timedelta

from cypdesk.common.periods import Period
from cypdesk.model import link_id
from cypdesk.services.demo_data import (
    ENGLAND_POP, HOME, INDICATORS, NEIGHBOURS, _clamp, _figure, _half_width, _Ind, _uid,
)


class NeedsPart:
    """The builder's needs assessment (see :class:`cypdesk.services.demo._Builder`)."""

    def period_of(self, kind: str, year: int) -> Period:
        if kind == "FY":
            return Period.financial_year(year)
        if kind == "AY":
            return Period.academic_year(year)
        return Period.calendar_year(year)

    def indicators(self) -> None:
        rng = self.rng
        for ind in INDICATORS:
            iid = _uid("indicators", ind.code)
            self.indicator[ind.code] = iid
            self.add("indicators", id=iid, code=ind.code, name=ind.name, group_id=self.group.get(ind.group or ""),
                     unit=ind.unit, polarity=ind.polarity, decimals=ind.decimals, source=ind.source,
                     definition=ind.definition, commentary=None)
            for code in ind.outcomes.split():
                oid = self.outcome[code]
                self.add("indicator_outcomes", id=link_id("indicator_outcomes", iid, oid), indicator_id=iid, outcome_id=oid)

        # Values: six years for England, the trust and its six neighbours.
        forced = {("CL_EET", 4, 5): ("x", "Not available: data quality issue in the return"),
                  ("ALCU18", 1, 1): ("c", "Suppressed: fewer than 10 admissions"),
                  ("CHMORT", 3, 2): ("*", "Suppressed: small number of deaths"),
                  ("REOFF", 5, 3): ("c", "Suppressed: cohort smaller than 20")}
        areas = [("england", ENGLAND_POP), ("home", HOME[3])] + [(f"sn:{n}", pop) for n, _g, _l, pop in NEIGHBOURS]
        for ind in INDICATORS:
            latest = self.latest[ind.period]
            years = list(range(latest - 5, latest + 1))
            home_latest = self._design_home(ind)
            offsets = {f"sn:{n}": rng.gauss(0, 0.08) for n, *_ in NEIGHBOURS}
            noise = {key: [rng.gauss(0, 0.015) for _ in years] for key, _ in areas}
            for a_index, (key, pop) in enumerate(areas):
                aid = self.area[key]
                for y_index, year in enumerate(years):
                    back = latest - year
                    eng = _clamp(ind, ind.england - ind.change * back)
                    scale = pop / ENGLAND_POP if ind.unit == "count" else 1.0
                    if key == "england":
                        target = eng * (1 + noise[key][y_index] * 0.1)
                    elif key == "home":
                        target = home_latest * eng / ind.england * (1 + (noise[key][y_index] if back else 0))
                    else:
                        target = eng * scale * (1 + offsets[key]) * (1 + noise[key][y_index])
                    den = None if ind.denom is None else max(round(pop * ind.denom * (1 - 0.006 * back)), 1)
                    figure = _figure(ind, target, den)
                    suppressed = note = None
                    hit = forced.get((ind.code, a_index - 1, back))
                    if hit is not None:
                        suppressed, note = hit
                    elif key not in ("england", "home") and rng.random() < 0.015:
                        suppressed, note = ("x", "Not available") if rng.random() < 0.5 else ("..", "Not yet published")
                    elif figure[5] is not None and key != "home":
                        suppressed, note = figure[5], "Suppressed: small numbers"
                    if back == 0 and key != "england":
                        # How this area stands against England: the large demo's wards
                        # and earlier years follow it.
                        self.home_ratio[(key, ind.code)] = (figure[0] or eng * scale) / (eng * scale)
                    value, lo, hi, num, d, _s = figure
                    if suppressed is not None:
                        value = lo = hi = num = None
                    period = self.period_of(ind.period, year)
                    self.add("indicator_values", id=self.value_ids.next(), indicator_id=self.indicator[ind.code],
                             area_id=aid, period=period.key(), period_start=period.start_date(), group_id=None,
                             value=value, lower_ci=lo, upper_ci=hi, numerator=num, denominator=d,
                             suppressed=suppressed, note=note, import_id=self.import_id,
                             source=ind.source.split(":")[0], extracted_on=self.extracted_on)

    def _design_home(self, ind: _Ind) -> float:
        """The trust's latest value: better, similar or worse than England by design,
        far enough from England that the confidence interval says so."""
        rng, e = self.rng, ind.england
        if ind.denom is None:
            return e * (1 + rng.uniform(-0.08, 0.08)) if ind.unit != "count" else e * HOME[3] / ENGLAND_POP * rng.uniform(0.85, 1.15)
        den = HOME[3] * ind.denom
        h = _half_width(ind, e, den)
        if ind.design is None:
            return _clamp(ind, e * (1 + rng.uniform(-0.15, 0.15)))
        if ind.design == "s":
            return _clamp(ind, e + rng.uniform(-0.3, 0.3) * h)
        delta = max(2.4 * h, 0.06 * e) * rng.uniform(1.0, 1.15)
        good_is_up = ind.polarity == "higher_better"
        up = (ind.design == "b") == good_is_up
        if ind.unit == "percent" and up:
            delta = min(delta, max(3.2 * h, (100 - e) * 0.5))
        return _clamp(ind, e + delta if up else e - delta)

    def evidence_and_priorities(self) -> None:
        t = self.today
        items = (
            ("ev-survey", "Young people's health and wellbeing survey", "children", "survey", t - timedelta(days=260), 2314,
             "2,314 pupils in Years 8 and 10 from 21 secondary schools took part. 38% said they often feel anxious or worried, up from 31% two years ago; girls in Year 10 reported the lowest wellbeing. Half of those who had asked for help with their mental health said they waited too long. Young people in West Riverside were least likely to know where to go for help.",
             "Riverside Young People's Health and Wellbeing Survey report", ("o:BH2", "o:BH4", "l:West Riverside")),
            ("ev-parents", "Parents of disabled children: focus groups on short breaks", "parents", "focus_group", t - timedelta(days=190), 18,
             "Three focus groups with 18 parents and carers, arranged with the parent carer forum. Parents valued overnight short breaks highly but described waits of up to nine months and little choice outside Riverside Town. Several said they had to tell their story again to each service.",
             "Short breaks consultation: what parents told us", ("o:SS5", "g:DIS", "l:Riverside Town")),
            ("ev-staff", "Early help staff workshop: thresholds and step-down", "staff", "consultation_event", t - timedelta(days=140), 45,
             "45 practitioners from the council, health visiting, schools and the voluntary sector. They reported confusion about the threshold between early help and children's social care, and that families stepped down from social care often lose their key worker. Re-referrals were seen as a symptom of this.",
             "Workshop notes, Joint Commissioning Unit", ("o:SS1", "o:SS6", "g:CIN", "l:North Riverside")),
            ("ev-youthcouncil", "Youth council: what matters to young people in care", "children", "youth_council", t - timedelta(days=100), 23,
             "The Children in Care Council and the youth council met jointly. Young people in care asked for the same social worker for longer, help with dentists and health checks, and more say in where they live. Care leavers asked for help with rent deposits and finding work.",
             "Children in Care Council minutes", ("o:SS5", "o:EW3", "g:LAC", "g:CL")),
            ("ev-carers", "Young carers: interviews and case reviews", "children", "interview", t - timedelta(days=75), 31,
             "Interviews with 31 young carers aged 9 to 17. Most were known to their school but only a third had had a young carer's needs assessment. Many missed school on days their parent was unwell.",
             "Riverside Young Carers annual report", ("o:EA2", "g:YC")),
            ("ev-ofsted", "Ofsted inspection of local authority children's services (ILACS)", "community", "inspection", t - timedelta(days=420), None,
             "Overall effectiveness judged 'requires improvement to be good'. Inspectors found that the response to children at risk of exploitation was strong, but that too many children were re-referred and that care leavers' pathway plans were not always up to date.",
             "Ofsted ILACS report", ("o:SS1", "o:SS4", "g:CL")),
            ("ev-complaints", "Complaints and compliments: children's services annual report", "parents", "complaints", t - timedelta(days=60), 212,
             "212 complaints and 340 compliments. The largest group of complaints was about waiting times for speech and language therapy and for CAMHS assessments.",
             "Annual complaints report to the Children's Trust Board", ("o:BH2", "o:EA1", "g:SEN")),
        )
        for key, title, who, method, held, participants, summary, source, tags in items:
            eid = _uid("evidence", key)
            self.evidence[key] = eid
            self.add("evidence", id=eid, title=title, who=who, method=method, held_on=held,
                     participants=participants, summary=summary, source_document=source)
            for tag in tags:
                kind, value = tag.split(":", 1)
                row = dict(outcome_id=None, group_id=None, area_id=None)
                if kind == "o":
                    row["outcome_id"] = target = self.outcome[value]
                elif kind == "g":
                    row["group_id"] = target = self.group[value]
                else:
                    row["area_id"] = target = self.area[f"loc:{value}"]
                self.add("evidence_tags", id=link_id("evidence_tags", eid, target), evidence_id=eid, **row)

        priorities = (
            ("WT1", 1, "in_progress", "Improve the emotional wellbeing and mental health of children and young people, with help available sooner",
             "Hospital admissions for mental health conditions and self-harm are significantly worse than England, and young people tell us they wait too long for help.",
             ("o:BH2", "i:MHADM", "i:SELFHARM", "e:ev-survey", "e:ev-complaints")),
            ("WT2", 2, "in_progress", "Strengthen early help so that fewer families need children's social care, and fewer are re-referred",
             "Re-referrals within 12 months are significantly worse than England; staff describe unclear thresholds and lost key workers on step-down.",
             ("o:SS1", "o:SS6", "g:CIN", "i:REREF", "e:ev-staff", "e:ev-ofsted")),
            ("WT3", 3, "agreed", "Give disabled children and their families timely short breaks and joined-up support",
             "Parents describe long waits for short breaks; new EHC plans issued within 20 weeks are worse than England.",
             ("o:SS5", "g:DIS", "g:SEN", "i:EHCP20", "e:ev-parents")),
            ("WT4", 4, "agreed", "Reduce the number of young people who are not in education, employment or training",
             "The proportion of 16-17 year olds NEET or not known is significantly worse than England, and care leavers' EET is below our neighbours.",
             ("o:EW1", "g:NEET", "g:CL", "i:NEET", "i:CL_EET", "e:ev-youthcouncil")),
            ("WT5", 5, "in_progress", "Commission for better outcomes: a joint commissioning strategy, pooled budgets and shared performance management",
             "The framework for joint planning and commissioning asks the trust to align or pool resources where that improves outcomes.",
             ("o:SS", "o:BH", "e:ev-staff")),
            ("WT6", 6, "proposed", "Support young carers to attend and enjoy school",
             "Young carers miss school when their parent is unwell, and few have had a needs assessment.",
             ("o:EA2", "g:YC", "i:PA_SEC", "e:ev-carers")),
        )
        for ref, rank, status, statement, rationale, links in priorities:
            pid = _uid("priorities", ref)
            self.priority[ref] = pid
            self.add("priorities", id=pid, statement=statement, plan_reference=ref, rank=rank, status=status, rationale=rationale)
            for link in links:
                kind, value = link.split(":", 1)
                row = dict(outcome_id=None, group_id=None, indicator_id=None, evidence_id=None)
                target = {"o": self.outcome, "g": self.group, "i": self.indicator, "e": self.evidence}[kind][value]
                row[{"o": "outcome_id", "g": "group_id", "i": "indicator_id", "e": "evidence_id"}[kind]] = target
                self.add("priority_links", id=link_id("priority_links", pid, target), priority_id=pid, **row)

    # --- teams ----------------------------------------------------------------------
