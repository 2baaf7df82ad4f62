"""The demo's joint plans: the pooled and aligned budgets with their contributions and
quarterly returns, performance measures, the action plan, the risk register and the
board's meetings with their papers. A part of :class:`cypdesk.services.demo._Builder`."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from cypdesk.common.periods import Period
from cypdesk.model import link_id
from cypdesk.services.demo_data import (
    BOARD, _add_months, _commentary, _money, _uid,
)


class PlansPart:
    """The builder's budgets, monitoring and meetings (see :class:`cypdesk.services.demo._Builder`)."""

    def agreements(self) -> None:
        rng, today = self.rng, self.today
        fys = (self.fy0 - 2, self.fy0 - 1, self.fy0)
        specs = (
            ("s75", "Section 75 pooled fund: children's emotional wellbeing, mental health and short breaks", "pooled", "s75_nhs_2006",
             "rcc", "pfm", "operating", "proportional", "agreed_pct", _add_months(date(self.fy0 - 3, 4, 1), 0), today - timedelta(days=40),
             date(self.fy0 + 2, 3, 31),
             [("rcc", 2_150_000.0, "Contract management and finance support from the host", 1.5, 96_000.0, None, 40.0),
              ("icb", 3_420_000.0, "Clinical psychologists seconded to the CAMHS single point of access", 2.0, 134_000.0, None, 60.0)],
             ["Child and adolescent mental health service (CAMHS): targeted emotional wellbeing",
              "\u201cTier 3\u201d CAMH service (specialist community CAMHS)",
              "Online counselling and wellbeing service for 11-25s",
              "Key worker service for children with complex health problems",
              "Respite care for children with complex health needs",
              "Short breaks for disabled children (overnight and community)",
              "SEND information, advice and support service (SENDIASS)"],
             [0.024, -0.018, 0.036], 12),
            ("aligned", "Aligned budget: early help and family support", "aligned", None,
             "rcc", "pfm", "signed", "case_by_case", "case_by_case", date(self.fy0 - 2, 4, 1), today + timedelta(days=200),
             None,
             [("rcc", 1_540_000.0, None, None, None, None, None),
              ("icb", 220_000.0, "Health visitor time in the family hubs", 3.0, 165_000.0, None, None),
              ("pol", 120_000.0, "Neighbourhood police officers attending locality panels", 0.5, 28_000.0, None, None)],
             ["Early help family support \u2013 North Riverside",
              "Early help family support \u2013 South and East Riverside",
              "Parenting education in groups and for individual parents",
              "Parenting support and parenting education groups",
              "Arrangements to provide practical help to families (section 17)",
              "Young carers support service"],
             [-0.031, 0.009, -0.022], 6),
        )
        for (key, title, kind, basis, host, manager, status, over, under, start, review, end, partners, scope, variances,
             notice) in specs:
            aid = _uid("agreements", key)
            self.agreement[key] = aid
            pooled = kind == "pooled"
            self.add("agreements", id=aid, title=title, type=kind, legal_basis=basis, host_id=self.org[host],
                     manager_id=self.person[manager],
                     aims=("To commission a single pathway of emotional wellbeing, mental health and short break services for children and young people, "
                           "with one budget, one set of outcomes and one performance framework." if pooled else
                           "To plan the partners' early help spending together, so that families get one offer in each locality, "
                           "without transferring money between the partners."),
                     start_date=start, review_date=review, end_date=end, status=status,
                     governance=("The pooled fund is managed by the host's pooled fund manager and overseen by the Emotional wellbeing and mental health "
                                 "(CAMHS) commissioning group, which reports quarterly to the Joint Commissioning Unit and twice a year to the Children's Trust Board." if pooled else
                                 "Each partner keeps its own budget; the Joint Commissioning Unit reviews spending against the shared plan each quarter."),
                     overspend_rule=over, underspend_rule=under,
                     vat=("The host accounts for VAT on the pooled fund's expenditure under its section 33 status; the ICB's contribution is treated as a contribution to the host's functions." if pooled else None),
                     audit=("The host's internal audit reviews the pooled fund each year; the annual statement of the fund is reported to both partners' audit committees." if pooled else
                            "Each partner's own audit arrangements apply."),
                     disputes=("Disputes are referred first to the Director of Children's Services and the ICB Chief Nursing Officer, then to the two chief executives, then to mediation." if pooled else
                               "Disagreements are resolved by the Joint Commissioning Unit, or by the Children's Trust Board."),
                     termination_notice_months=notice, owner_org_id=self.org[host])
            for org, _cash, _desc, _fte, _val, over_pct, under_pct in partners:
                oid = self.org[org]
                self.add("agreement_partners", id=link_id("agreement_partners", aid, oid), agreement_id=aid, organisation_id=oid,
                         overspend_pct=over_pct, underspend_pct=under_pct, owner_org_id=oid)
            for name in scope:
                sid = self.service[name]
                self.add("agreement_services", id=link_id("agreement_services", aid, sid), agreement_id=aid, service_id=sid)
            budgets = {}
            for i, fy in enumerate(fys):
                total = 0.0
                for org, cash, desc, fte, value, _o, _u in partners:
                    uplift = (1.031 ** i) * (1 + rng.uniform(-0.01, 0.01))
                    amount = round(cash * uplift, -3)
                    total += amount
                    oid = self.org[org]
                    self.add("contributions", id=link_id("contributions", aid, oid, str(fy)), agreement_id=aid,
                             organisation_id=oid, financial_year=fy, cash=amount, in_kind_description=desc,
                             in_kind_fte=fte, in_kind_value=round(value * uplift, -2) if value else None, owner_org_id=oid)
                budgets[fy] = total
            # Quarterly returns for every quarter that has ended; the pooled fund's
            # return for one quarter of the current year is missing (not zero).
            ended = [(fy, q) for fy in fys for q in (1, 2, 3, 4)
                     if Period.financial_quarter(fy, q).end_date() < today]
            missing = None
            if pooled:
                current = [(fy, q) for fy, q in ended if fy == self.fy0]
                missing = current[-2] if len(current) >= 2 else (current[0] if current else (self.fy0 - 1, 4))
            for fy, q in ended:
                if (fy, q) == missing:
                    continue
                budget = budgets[fy]
                v = variances[fys.index(fy)] * (0.4 + 0.2 * q)
                spend = round(budget * q / 4 * (1 + v + rng.uniform(-0.01, 0.01)), -2)
                forecast = round(budget * (1 + v), -2)
                word = "overspend" if forecast > budget else "underspend"
                self.add("returns", id=link_id("returns", aid, str(fy), str(q)), agreement_id=aid, financial_year=fy,
                         quarter=q, budget=budget, spend_to_date=spend, forecast_outturn=forecast,
                         commentary=(f"Forecast {word} of {_money(abs(forecast - budget))} "
                                     + ("driven by demand for specialist CAMHS and agency staffing." if pooled and word == "overspend" else
                                        "from vacancies in the locality teams." if word == "underspend" else "from higher demand.")),
                         submitted_on=Period.financial_quarter(fy, q).end_date() + timedelta(days=25),
                         owner_org_id=self.org[host])

    # --- monitoring -----------------------------------------------------------------

    def measures(self) -> None:
        quarters = []
        p = Period.of("financial_quarter", self.today).previous()
        for _ in range(8):
            quarters.append(p)
            p = p.previous()
        quarters.reverse()
        camhs3 = "\u201cTier 3\u201d CAMH service (specialist community CAMHS)"
        specs = (
            ("service", camhs3, "Children and young people seen within 18 weeks of referral (%)", "how_well", "%", "higher_better", 92, 5, "percent",
             [86.0, 85.2, 84.1, 83.5, 82.0, 80.6, 79.5, 78.2]),
            ("service", camhs3, "Referrals received", "how_much", "referrals", "no_judgement", None, None, "percent",
             [612, 655, 598, 701, 688, 720, 690, 744]),
            ("service", "Health visiting service (0-5 Healthy Child Programme)", "New birth visits completed within 14 days (%)", "how_well", "%", "higher_better", 90, 5, "percent",
             [88.2, 89.5, 90.3, 88.9, 87.0, 89.1, 88.6, 87.4]),
            ("service", "Short breaks for disabled children (overnight and community)", "Children and young people receiving a short break", "how_much", "children", "higher_better", 420, 10, "percent",
             [402, 398, 415, 421, 418, 425, 430, 436]),
            ("service", "Early help family support \u2013 North Riverside", "Families whose early help plan closed with their needs met (%)", "better_off", "%", "higher_better", 75, 5, "absolute",
             [71.0, 72.5, 74.0, 73.1, 76.2, 75.8, 77.0, 78.5]),
            ("service", "Youth offending team services", "Young people in the cohort who re-offend within 12 months (%)", "better_off", "%", "lower_better", 30, 3, "absolute",
             [31.0, 32.4, 30.8, 31.9, 33.0, 32.2, 34.1, 35.8]),
            ("service", "Speech and language therapy for children", "Children waiting more than 18 weeks for a first appointment", "how_well", "children", "lower_better", 40, 25, "percent",
             [38, 41, 45, 49, 52, 58, 64, 71]),
            ("service", "School nursing service (5-19 Healthy Child Programme)", "Year 6 pupils measured for the National Child Measurement Programme (%)", "how_much", "%", "higher_better", 95, 3, "percent",
             [93.0, 94.1, 95.2, 95.8, 94.0, 94.9, 95.5, 96.2]),
            ("service", "Family hub and children's centre \u2013 North Riverside", "Families with children under five registered with the family hub (%)", "how_much", "%", "higher_better", 80, 5, "percent",
             [70.2, 72.0, 73.5, 74.1, 75.8, 76.3, 76.9, 77.1]),
            ("contract", "Independent fostering agency placements (framework)", "Placements made with framework providers (%)", "how_well", "%", "higher_better", 85, 5, "percent",
             [88.0, 86.5, 85.2, 84.0, 86.1, 83.9, 84.4, 82.0]),
            ("contract", "Young people's substance misuse service", "Young people leaving treatment in a planned way (%)", "better_off", "%", "higher_better", 80, 10, "percent",
             [74.0, 76.5, 78.0, 79.2, 81.0, 80.4, 82.1, 83.0]),
            ("priority", "WT1", "Young people reporting good or very good wellbeing in the school survey (%)", "better_off", "%", "higher_better", 70, 5, "percent",
             [64.0, 64.8, 65.5, 66.0, 66.4, 66.9, 67.0, 67.4]),
            ("priority", "WT2", "Re-referrals to children's social care within 12 months (%)", "better_off", "%", "lower_better", 20, 2, "absolute",
             [24.6, 23.9, 23.1, 22.0, 21.2, 20.5, 19.8, 19.1]),
            ("priority", "WT4", "16-17 year olds NEET or whose activity is not known (%)", "better_off", "%", "lower_better", 4.5, 10, "percent",
             [5.9, 5.7, 5.6, 5.4, 5.2, 5.0, 4.9, 4.8]),
            ("team", "jcu", "Contracts reviewed by their review date (%)", "how_well", "%", "higher_better", 100, 10, "percent",
             [92.0, 88.0, 85.0, 90.0, 84.0, 81.0, 78.0, 76.0]),
            ("team", "sbd", "EHC plans with health advice returned within six weeks (%)", "how_well", "%", "higher_better", 90, 5, "percent",
             [81.0, 84.0, 86.5, 88.0, 89.2, 91.0, 92.4, 93.0]),
        )
        for owner, ref, name, kind, unit, polarity, target, tol, tol_kind, actuals in specs:
            mid = _uid("measures", f"{owner}|{ref}|{name}")
            row = dict(service_id=None, contract_id=None, priority_id=None, team_id=None)
            if owner == "service":
                row["service_id"] = self.service[ref]
            elif owner == "contract":
                row["contract_id"] = self.contract_of[ref]["id"]
            elif owner == "priority":
                row["priority_id"] = self.priority[ref]
            else:
                row["team_id"] = self.team[ref]
            self.add("measures", id=mid, name=name, kind=kind, unit=unit, polarity=polarity, frequency="quarterly",
                     target=float(target) if target is not None else None, tolerance=float(tol) if tol is not None else None,
                     tolerance_kind=tol_kind, definition=None, **row)
            for i, (period, actual) in enumerate(zip(quarters, actuals)):
                comment = None
                if i == len(actuals) - 1:
                    comment = _commentary(actual, target, tol, tol_kind, polarity)
                self.add("measurements", id=link_id("measurements", mid, period.key()), measure_id=mid, period=period.key(),
                         period_start=period.start_date(), actual=float(actual), commentary=comment)

    def actions(self) -> None:
        t, past, nxt = self.today, self.past_meeting, self.next_meeting
        later = _add_months(nxt, 3)
        actions = (
            ("1", "Develop a clear joint commissioning framework (assess, plan, do, review).", "WT5", "hjc", t - timedelta(days=200), past,
             "Framework agreed by the Board at its last meeting, with the assess-plan-do-review cycle at its heart.", "done", "WT5"),
            ("2", "Produce a commissioning handbook for officers of all partners.", "4.2", "hjc", nxt + timedelta(days=14), nxt,
             "Draft handbook written, based on the national commissioning support programme guidance; being tested with the locality groups.", "on_track", "WT5"),
            ("3", "Refresh the joint strategic needs assessment for children and young people, by outcome, group and locality.", "3.1", "perf", t + timedelta(days=60), nxt,
             "Indicator set agreed and Fingertips extract loaded; locality profiles in progress.", "on_track", "WT5"),
            ("4", "Establish the Performance and Commissioning Sub-Group and agree its membership.", "WT4", "hjc", t - timedelta(days=120), past,
             "Established; terms of reference agreed and first meeting held.", "done", "WT5"),
            ("5", "Agree quarterly financial monitoring of the section 75 pooled fund with both partners' finance teams.", "WT3", "pfm", t - timedelta(days=30), nxt,
             "Quarterly returns in place, but the latest quarter's return is outstanding while the ICB confirms its CAMHS activity figures.", "at_risk", "WT5"),
            ("6", "Review the section 75 agreement before its review date and bring a revised agreement to the Board.", "5.3", "pfm", t - timedelta(days=21), nxt,
             "Review delayed: legal advice on the revised risk-share is awaited. The agreement is now past its review date.", "off_track", "WT5"),
            ("7", "Re-commission the online counselling service before the current contract ends.", "4.4", "icb2", t + timedelta(days=45), nxt,
             "Market engagement done; the Board will be asked to choose between a direct award and an open procedure.", "at_risk", "WT1"),
            ("8", "Reduce waits for specialist CAMHS to 18 weeks, with a recovery plan agreed with Vale Partnership.", "WT1", "icb2", t + timedelta(days=150), later,
             "Recovery plan agreed; waits are still rising (see the performance appendix).", "off_track", "WT1"),
            ("9", "Agree thresholds and a step-down protocol between early help and children's social care.", "WT2", "dcs", t - timedelta(days=10), past,
             "Protocol drafted after the staff workshop; sign-off by the safeguarding partners delayed to the next meeting.", "off_track", "WT2"),
            ("10", "Commission a short breaks offer in every locality, with a shorter wait for overnight breaks.", "WT3", "icb1", t + timedelta(days=240), later,
             "Needs analysis complete; market engagement event planned.", "not_started", "WT3"),
            ("11", "Develop a workforce development programme in commissioning for all partners.", "6.7", "hjc", t + timedelta(days=120), later,
             "Training modules proposed within the children's workforce programme; multi-agency training to be considered.", "not_started", "WT5"),
            ("12", "Close the Old Mill neighbourhood family centre and move its groups into the West Riverside family hub.", "4.6", "hjc", t + timedelta(days=110), nxt,
             "Notice given after the Board's decision; first two groups have moved.", "on_track", "WT2"),
            ("13", "Carry out young carers' needs assessments through schools.", "WT6", "vcs", t + timedelta(days=90), later,
             "Not started: awaiting agreement of the priority.", "not_started", "WT6"),
        )
        for number, text, ref, owner, due, report, progress, status, priority in actions:
            self.add("actions", id=_uid("actions", number), number=number, action=text, plan_reference=ref,
                     owner_id=self.person[owner], due_date=due, report_to_board=report, progress=progress,
                     status=status, priority_id=self.priority[priority])

    def risks(self) -> None:
        t = self.today
        risks = (
            ("Demand for specialist CAMHS continues to grow faster than capacity, and waits lengthen further.", "icb2", 4, 4, 12,
             "Recovery plan with Vale Partnership; more early help in schools through the mental health support teams; monthly waiting list review.",
             8, 30, ("service", "\u201cTier 3\u201d CAMH service (specialist community CAMHS)")),
            ("The section 75 pooled fund overspends and the partners disagree on how to share it.", "pfm", 3, 4, 9,
             "Risk-share in the agreement; quarterly monitoring; review of the agreement now due.", 6, 14, ("agreement", "s75")),
            ("Re-referrals stay high because thresholds between early help and social care are unclear.", "dcs", 3, 3, 12,
             "Step-down protocol; locality panels; audit of re-referred cases.", 4, 60, ("priority", "WT2")),
            ("The online counselling contract ends before a new service is in place, leaving a gap for 11-25 year olds.", "icb2", 3, 4, 8,
             "Timetable for re-commissioning agreed; option of a short direct award under the PSR if needed.", 4, 20, ("service", "Online counselling and wellbeing service for 11-25s")),
            ("Sufficiency of local foster carers and children's home places is too low, driving up the cost of placements.", "dcs", 4, 5, 20,
             "Sufficiency strategy; foster carer recruitment campaign; regional framework for residential care.", 12, 45, ("service", "Residential children's home placements")),
            ("The early help North locality group does not gain enough commitment from partners to become established.", "hjc", 2, 3, 6,
             "Terms of reference agreed with partners; chair from the council until a partner chair is found.", 4, 90, ("team", "ehn")),
            ("Closing the Old Mill centre leaves families without a car unable to reach family support.", "hjc", 3, 3, 9,
             "Outreach in Millbrook village hall; bus passes for the first year; tracking of former Old Mill families.", 4, 50, ("service", "Neighbourhood family centre \u2013 West Riverside (Old Mill)")),
        )
        for i, (text, owner, likelihood, impact, previous, mitigation, target, review_in, link) in enumerate(risks, start=1):
            row = dict(service_id=None, agreement_id=None, priority_id=None, team_id=None)
            kind, ref = link
            if kind == "service":
                row["service_id"] = self.service[ref]
            elif kind == "agreement":
                row["agreement_id"] = self.agreement[ref]
            elif kind == "priority":
                row["priority_id"] = self.priority[ref]
            else:
                row["team_id"] = self.team[ref]
            self.add("risks", id=_uid("risks", str(i)), description=text, owner_id=self.person[owner], likelihood=likelihood,
                     impact=impact, previous_score=previous, mitigation=mitigation, target_score=target,
                     review_date=t + timedelta(days=review_in), **row)

    def meetings(self) -> None:
        past, nxt = self.past_meeting, self.next_meeting
        fy_label = Period.financial_year(self.fy0).label()
        past_id = _uid("meetings", "past")
        next_id = _uid("meetings", "next")
        self.add("meetings", id=past_id, board=BOARD, held_on=past, place="Council Chamber, County Hall, Riverside")
        self.add("meetings", id=next_id, board=BOARD, held_on=nxt, place="Committee Room 2, Vale House (NHS Riverside and Vale ICB)")
        pooled_total = sum(r["cash"] for r in self.rows["contributions"]
                           if r["agreement_id"] == self.agreement["s75"] and r["financial_year"] == self.fy0)
        papers = (
            ("p1", past_id, "Joint commissioning strategy: update", "hjc", "official", "final",
             "1.1 To update the Board on progress towards the development and implementation of a joint commissioning strategy for the Children's Trust.\n"
             "1.2 To seek the Board's agreement to the establishment of a Performance and Commissioning Sub-Group.",
             f"2.1 The Children and Young People's Plan commits the Riverside Children's Trust to developing a joint commissioning strategy. This is presented in the Working Together section of the plan as improvement priority WT5 (Commissioning for Better Outcomes).\n"
             f"2.2 The key actions agreed for {fy_label} are located across numerous areas of activity within the plan, including communications, workforce development and use of resources. A summary of progress against these actions is presented at Appendix A.",
             "3.1 At its last meeting the Board considered a consultation document which proposed changes to the structure and reporting arrangements of the Trust, including a new sub-group to take forward performance management and strategic commissioning.\n"
             "3.2 Responses have been received from five partner organisations. All support the establishment of the Performance and Commissioning Sub-Group.\n"
             "3.3 The needs assessment shows that hospital admissions for mental health conditions and for self-harm, re-referrals to children's social care and the proportion of 16-17 year olds NEET are significantly worse than England.",
             "4.1 Option 1: establish the sub-group now (recommended). Option 2: extend the remit of the Joint Commissioning Unit instead. Option 2 was rejected because the Unit does not include schools or the voluntary sector as full members.",
             "5.1 There are increased financial and reputational risks to the partners unless a more structured commissioning strategy is in place, particularly for emotional wellbeing and for placements. The risk register is at Appendix C.",
             f"6.1 There are no direct financial implications of establishing the sub-group. The section 75 pooled fund totals {_money(pooled_total)} in {fy_label}.",
             "7.1 The Children Act 2004 (section 10) requires the council and its relevant partners to co-operate to improve the well-being of children. Pooling of budgets is under section 75 of the National Health Service Act 2006.",
             "8.1 An equality impact assessment is not required for a change to governance arrangements. Each commissioning decision that follows will be assessed.",
             "Partner organisations of the Children's Trust; the Children in Care Council; the youth council; the parent carer forum.",
             "Children and Young People's Plan; Joint planning and commissioning framework for children, young people and maternity services (DfES/DH, 2006); consultation responses on the structure of the Trust.",
             (("The Board approves the establishment of the Performance and Commissioning Sub-Group.", "agreed", "Approved. Membership to be confirmed by the Director of Children's Services."),
              ("The Board comments on the proposed arrangements for quarterly monitoring of the pooled budgets.", "amended", "Agreed, with the addition of a six-monthly report on in-kind contributions."),
              ("The Board agrees to receive a fuller report on the commissioning handbook at its next meeting.", "deferred", "Deferred to the following meeting to allow the locality groups to test the handbook.")),
             (("A", "action_plan", "Action plan progress"), ("B", "pooled_budgets", "Pooled budget monitoring"), ("C", "risks", "Risk register"))),
            ("p2", past_id, "Proposal to decommission the Old Mill neighbourhood family centre", "dcs", "not_for_publication", "final",
             "1.1 To seek the Board's decision on the proposal to decommission the Old Mill neighbourhood family centre in West Riverside and to move its work into the West Riverside family hub.",
             "2.1 The Old Mill centre has been grant funded since 2011. The West Riverside family hub opened 1.2 miles away in 2023 and now offers most of the same groups.",
             "3.1 Attendance at the Old Mill has fallen by 40% in two years. The building needs £180,000 of repairs.\n3.2 Consultation drew 96 responses; most concern was about travel for families without a car.",
             "4.1 Option 1: close the centre and move its groups to the hub, with outreach in Millbrook (recommended). Option 2: keep the centre open and repair it. Option 3: close without outreach.",
             "5.1 The main risk is that families without a car stop using family support. Outreach sessions and a bus pass scheme mitigate this.",
             "6.1 The saving is about 40% of the current grant; the repair liability is avoided.",
             "7.1 Notice under the grant agreement is three months. The council must have regard to its sufficiency duty for children's centres (Childcare Act 2006 s5A).",
             "8.1 A full equality impact assessment is attached. The effect on families without a car and on Polish-speaking families is mitigated by outreach and by keeping the English classes at the hub.",
             "Families using the centre; Brightside Family Support; West Riverside councillors; the parent carer forum.",
             "Equality impact assessment; consultation report; building condition survey.",
             (("The Board agrees to decommission the Old Mill neighbourhood family centre.", "agreed", None),
              ("The Board agrees that outreach in Millbrook continues for at least twelve months after closure.", "agreed", "The Board asked for a report on take-up after six months.")),
             (("A", "service_map", "Family support services in West Riverside"), ("B", "needs_profile", "West Riverside needs profile"))),
            ("p3", next_id, "Joint commissioning strategy: progress and forward plan", "hjc", "official", "draft",
             "1.1 To update the Board on progress against the joint commissioning action plan and on the performance of commissioned services.\n1.2 To agree the forward plan of commissioning decisions for the coming year.",
             "2.1 At its last meeting the Board established the Performance and Commissioning Sub-Group and agreed quarterly monitoring of the pooled budgets.",
             "3.1 Thirteen actions are in the plan: two are done, three are off track. The section 75 agreement is past its review date and a revised agreement will come to the Board.\n"
             "3.2 Specialist CAMHS has been rated red for two quarters running; a recovery plan has been agreed with the provider.\n"
             "3.3 One contract ends within the next three months (online counselling) and needs a decision.",
             "4.1 For the online counselling service: Option 1, a direct award to the current provider for up to two years while the wider mental health pathway is re-designed; Option 2, an open procedure under the Procurement Act 2023.",
             "5.1 The risk register at Appendix C shows two risks scoring 16 or more.",
             "6.1 The section 75 pooled fund forecasts an overspend this year; under the agreement it is shared in proportion to contributions.",
             "7.1 Any direct award for a healthcare service must follow the Provider Selection Regime; other services fall under the Procurement Act 2023.",
             "8.1 No decision in this paper changes a service for a protected group; equality impact assessments will accompany each commissioning decision.",
             "Members of the Joint Commissioning Unit and its sub-groups.",
             "Report to the Board, previous meeting: Joint commissioning strategy: update.",
             (("The Board notes progress against the action plan at Appendix A.", None, None),
              ("The Board agrees the forward plan of commissioning decisions.", None, None),
              ("The Board asks the pooled fund manager to bring the revised section 75 agreement to its next meeting.", None, None)),
             (("A", "action_plan", "Action plan progress"), ("B", "performance", "Service performance"), ("C", "risks", "Risk register"),
              ("D", "pooled_budgets", "Pooled budget monitoring"))),
            ("p4", next_id, "Children and young people's needs assessment: headline findings", "perf", "official", "draft",
             "1.1 To present the headline findings of the refreshed needs assessment, by outcome, group of children and locality, with comparisons with England and our statistical neighbours.",
             "2.1 The needs assessment brings together national indicators, local data and what children, young people, parents and staff have told us.",
             "3.1 Appendix A shows each indicator against England and our statistical neighbours. Where a confidence interval is available the comparison is by confidence interval.",
             None, None, None, None, None,
             "Performance and Commissioning Sub-Group.",
             "OHID Fingertips Child and Maternal Health profile; DfE statistical releases.",
             (("The Board notes the findings and agrees that they inform the refresh of the Children and Young People's Plan.", None, None),),
             (("A", "needs_profile", "Needs profile"), ("B", "service_map", "Service and outcome map"))),
        )
        from cypdesk.services.papers.templates import DEFAULT_SECTIONS, DEFAULT_TEMPLATE_ID, default_template_row

        self.add("paper_templates", **default_template_row())
        agenda = {"p1": ("5", "pfm"), "p2": ("6", "dcs"), "p3": ("4", "hjc"), "p4": ("5", "perf")}
        # Sections a provider must not see (left out, whole, of provider-safe versions).
        confidential = {("p2", "financial"), ("p3", "options")}
        for key, meeting, title, author, marking, status, purpose, background, considerations, options, risk, fin, legal, equality, consultees, bg, recs, apps in papers:
            pid = _uid("papers", key)
            agenda_item, contact = agenda[key]
            # A final paper was finalised (its figures taken) a week before its meeting, at 5 pm.
            finalised = datetime.combine(past - timedelta(days=7), time(17, 0)) if status == "final" else None
            self.add("papers", id=pid, meeting_id=meeting, title=title, author_id=self.person[author], marking=marking, status=status,
                     purpose=purpose, key_decision=options is not None, wards_affected="All wards",
                     agenda_item=agenda_item, contact_id=self.person[contact], template_id=DEFAULT_TEMPLATE_ID,
                     finalised_at=finalised, data_taken_at=finalised)
            bodies = {"reasons": "To let the Board decide between the options set out in section 4." if options else None,
                      "background": background, "considerations": considerations, "options": options,
                      "risk_management": risk, "financial": fin, "legal": legal, "equality": equality,
                      "consultees": consultees, "background_papers": bg}
            for position, section in enumerate(DEFAULT_SECTIONS):
                body = bodies[section["key"]]
                if body:
                    self.add("paper_sections", id=link_id("paper_sections", pid, section["key"]), paper_id=pid,
                             key=section["key"], heading=section["heading"], position=position, body=body,
                             confidential=(key, section["key"]) in confidential)
            for number, (text, decision, note) in enumerate(recs, start=1):
                self.add("recommendations", id=link_id("recommendations", pid, str(number)), paper_id=pid, number=number,
                         text=text, decision=decision, decision_note=note)
            for letter, kind, app_title in apps:
                options_json = json.dumps({"area": "West Riverside"}) if "West Riverside" in app_title else None
                if kind == "pooled_budgets":
                    options_json = json.dumps({"agreement_id": self.agreement["s75"], "year": self.fy0})
                self.add("appendices", id=link_id("appendices", pid, letter), paper_id=pid, letter=letter, kind=kind,
                         title=app_title, options=options_json)
        # The sub-group the Board approved (paper 1, recommendation 1) is action 4 of the plan.
        for action in self.rows["actions"]:
            if action["number"] == "4":
                action["recommendation_id"] = link_id("recommendations", _uid("papers", "p1"), "1")
        self.forward_plan(next_id)

    def forward_plan(self, next_id: str) -> None:
        """The decisions the Board expects: two at the next meeting (one with its paper
        written), and one at the meeting after, not yet given a date."""
        later_id = _uid("meetings", "later")
        later = _add_months(self.next_meeting, 3)
        self.add("meetings", id=later_id, board=BOARD, held_on=later, place="Council Chamber, County Hall, Riverside")
        items = (
            ("fp1", next_id, "Joint commissioning strategy: progress and forward plan", False,
             "To note progress and agree the forward plan.", "hjc", _uid("papers", "p3"), "written"),
            ("fp2", next_id, "Online counselling and wellbeing service for 11-25s: award of contract", True,
             "To decide how the service is bought when its contract ends: a direct award for up to two years, or an open procedure.",
             "icb2", None, "planned"),
            ("fp3", later_id, "Revised section 75 agreement for the pooled fund", True,
             "To approve the revised section 75 agreement, its contributions and its risk-share.", "pfm", None, "planned"),
            ("fp4", later_id, "Short breaks statement", False, "To approve the annual short breaks statement.", "icb1", None,
             "deferred"),
        )
        for key, meeting, title, key_decision, sought, lead, paper, status in items:
            self.add("forward_plan_items", id=_uid("forward_plan_items", key), meeting_id=meeting, title=title,
                     key_decision=key_decision, decision_sought=sought, lead_id=self.person[lead], paper_id=paper,
                     status=status)
