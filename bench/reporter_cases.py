"""Scripted reporter cases for the nearmiss reporting flow (test data only).

Each case is a near miss a stressed frontline worker might report from a phone, drawn from a
distinct case study, example or finding in the SCIE report (seeds/scie-report-managing-risk-
minimising-mistakes.txt). Labels for 'where', 'who', 'outcome' and 'factors' are copied exactly
from DESIGN.md's default lists and grade table.

Deliberate features:
- typed dates: "3/11", "last tuesday", "mon morning", "28/10", "friday about 4pm", "sat night"
- identifiers that slip in (must be masked): a first name; a full name with date of birth;
  a telephone number (Ofcom drama range)
- the reporter types the 'where' label instead of tapping it: typed_choice=True
- the reporter types the literal word "skip" on the optional "what stopped it" question
- two long, upset accounts of what happened (4-5 sentences)
- all five outcome buttons used
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    source: str  # chapter / section of the SCIE report and which case or finding
    when: str  # "today" | "yesterday" | "this_week" | or the typed text, e.g. "last tuesday"
    where: str  # label from DESIGN.md's default 'where' list, or typed text
    who: tuple[str, ...]  # labels from DESIGN.md's default 'who' list
    what: str  # typed text
    action: str  # typed text
    outcome: str  # one of the five button labels in DESIGN.md's grade table
    factors: tuple[str, ...] | None  # default contributory factor labels, or None to skip
    stopped: str | None  # typed text, None to skip, or the literal "skip" when typed
    feedback: bool  # True = "Tell me what changes"
    typed_choice: bool = False  # True where the reporter types the 'where' label


CASES = (
    # 1
    Case(
        source="ch.3.2, first case (pregnant woman with mental health problems goes missing; "
        "nurse sees 'missing person' note on hospital noticeboard)",
        when="3/11",
        where="hospital or health",
        who=("parent or carer", "health", "social worker"),
        what="pregnant mum with MH probs went missing before pre birth assessment was done. "
        "hosp were told but nobody told us, we only found out cos a nurse saw the missing "
        "person poster on the ward noticeboard",
        action="found where she was same day, pre birth assessment restarted, emailed hosp safeguarding team",
        outcome="Happened, no harm caused",
        factors=("communication between agencies", "access to information or records"),
        stopped="the nurse making the link. pure luck tbh",
        feedback=True,
    ),
    # 2
    Case(
        source="ch.3.2, second case (mother holds children up at the window; probation and "
        "mental health team will not act; children left in neglect too long)",
        when="this_week",
        where="home visit",
        who=(
            "child or young person",
            "parent or carer",
            "wider family",
            "probation",
            "mental health services",
        ),
        what="mum wont let us in, holds the kids up at the window shouting theyre fine go away. "
        "probation and MH team both say its not their job so kids left in neglect way too long",
        action="escalated to TM. mum now sectioned and kids with grandparents",
        outcome="Harm: child left at risk",
        factors=(
            "communication between agencies",
            "prioritising immediate harm over need / thresholds",
        ),
        stopped=None,
        feedback=True,
    ),
    # 3 (a first name slips in; the 'where' label is typed, not tapped)
    Case(
        source="ch.3.4, information and referral officer's example (police did not tell "
        "social services a violent partner was out on bail)",
        when="yesterday",
        where="home visit",
        who=("parent or carer", "police", "other"),
        what="dropped leaflets round to mum and her ex Darren was in the house. police never "
        "told us hed been bailed, conditions say no contact",
        action="left straight away, rang police from the car, hes been rearrested",
        outcome="Stopped before it happened",
        factors=("communication between agencies",),
        stopped="I knew his face from the file",
        feedback=False,
        typed_choice=True,
    ),
    # 4
    Case(
        source="ch.4.3, first case (7-year-old referred by fire service for fire-setting left "
        "unallocated; second referral from school about a burn; 'missing' old files)",
        when="last tuesday",
        where="referral and intake",
        who=(
            "child or young person",
            "parent or carer",
            "education",
            "social worker",
            "other",
        ),
        what="7yo referred by fire service 2 months ago for fire setting, never allocated. "
        "2nd referral from school re 10 day old burn on her hand, home visit found squalor",
        action="ICPC booked. old files found in archive with earlier sexual abuse allegations",
        outcome="Harm: child left at risk",
        factors=(
            "prioritising immediate harm over need / thresholds",
            "access to information or records",
            "workload and time pressure",
        ),
        stopped="experienced SW had a gut feeling and dug out the old files",
        feedback=True,
    ),
    # 5 (a full name and date of birth slip in)
    Case(
        source="ch.4.3, second case (mother's new boyfriend makes a good impression; ICT "
        "warning 'don't visit him at home on his own'; served 15 years for offences against "
        "a child)",
        when="today",
        where="office or phone",
        who=("parent or carer", "child or young person", "social worker", "manager"),
        what="mums new bf seemed fine on the visit but my gut said no. back at office found a "
        "warning on Lee Harper dob 14/02/79 dont visit alone, rang mum and its the same man, "
        "15 yrs for child sex offences",
        action="told TM, strategy discussion this pm, lone visits flagged on file",
        outcome="Stopped before it happened",
        factors=("access to information or records",),
        stopped="trusting my gut + checking the system after the visit",
        feedback=True,
    ),
    # 6
    Case(
        source="ch.4.3, third case (EU nationals in financial hardship taken 'on face value'; "
        "inexperienced worker does not reassess; manager's follow-up visit finds mother "
        "unconscious)",
        when="this_week",
        where="assessment",
        who=(
            "child or young person",
            "parent or carer",
            "social worker",
            "manager",
            "health",
        ),
        what="family came in for financial hardship and we took it at face value. MH and "
        "neglect signs came up later but no reassesment, then they stopped coming in",
        action="TM sent us out on a follow up visit, mum found unconcious, ambulance called, kids placed",
        outcome="Harm: child left at risk",
        factors=(
            "assessment tools and procedures",
            "supervision and support",
            "workload and time pressure",
        ),
        stopped="TM noticed they hadnt come back and chased it",
        feedback=True,
    ),
    # 7 (false positive)
    Case(
        source="ch.4.5, ICT system that cannot alter details once entered (inaccurate, "
        "incriminating details in a case conference report)",
        when="mon morning",
        where="strategy meeting or conference",
        who=("parent or carer", "child or young person", "social worker", "manager"),
        what="conf report had wrong info about dad, someone elses conviction, and the system "
        "wont let us change it only add an addendum. family treated as high risk because of it",
        action="raised it in conf, addendum added, asked IT if the record can be corrected",
        outcome="Harm: family wrongly judged a risk",
        factors=("access to information or records", "assessment tools and procedures"),
        stopped="dad challenged it in the meeting",
        feedback=True,
    ),
    # 8 (both optional questions skipped; "skip" typed on the second)
    Case(
        source="ch.4.5, Eurocentric ICT systems that recognise only European name spellings "
        "(family known to services not found; long-serving worker remembers the name)",
        when="today",
        where="referral and intake",
        who=("child or young person", "parent or carer", "social worker"),
        what="new referral came back not known cos the system only matched one spelling of "
        "the surname. family is known, previous CP plan",
        action="searched again w different spellings, found old record, passed to TM",
        outcome="Stopped before it happened",
        factors=None,
        stopped="skip",
        feedback=False,
    ),
    # 9
    Case(
        source="ch.4.5, missing mother and child (missing files, poor chronology, new workers; "
        "team leader who knew the history takes a referral by chance)",
        when="28/10",
        where="case transfer or handover",
        who=("child or young person", "parent or carer", "social worker", "manager"),
        what="mum and child went missing after serious CP concerns. came back to us a few "
        "times but files missing, no chronology and new workers so nobody picked it up",
        action="recognised the family on duty and got an EPO",
        outcome="Happened, no harm caused",
        factors=("access to information or records", "case transfer or handover"),
        stopped="I happened to take the referral and knew the history",
        feedback=True,
    ),
    # 10
    Case(
        source="ch.4.6, first case (Friday-afternoon referral from post-natal unit; baby "
        "allowed home; three-day-old found alone and unfed)",
        when="friday about 4pm",
        where="hospital or health",
        who=(
            "child or young person",
            "parent or carer",
            "health",
            "police",
            "social worker",
        ),
        what="referral from postnatal ward fri pm, mum uses drugs and has LD, no pre birth "
        "assessment. checked w HV and antenatal and let baby go home, visit found 3 day old "
        "left alone unfed about 8 hrs",
        action="police protection, baby in foster placement",
        outcome="Harm: child left at risk",
        factors=(
            "communication between agencies",
            "workload and time pressure",
            "supervision and support",
        ),
        stopped=None,
        feedback=True,
    ),
    # 11 (long, upset)
    Case(
        source="ch.4.6, second case (senior police officer refuses police protection: child "
        "'happy enough', 'I've seen worse')",
        when="yesterday",
        where="police or court",
        who=(
            "child or young person",
            "parent or carer",
            "wider family",
            "police",
            "social worker",
        ),
        what="I asked police for a PPO for a little boy Ive worked with for 6 months, parents "
        "long term drug users and the house is not safe. The senior officer looked at him, "
        "he was smiling, and said he looked happy enough and refused. He actually said to me "
        "ive seen worse. The child was half naked in a freezing flat and nobody would listen "
        "to me. If anything had happened to him it would of been on us not them",
        action="voluntary agreement with mum, he went to maternal gran last night. applying for EPO today",
        outcome="Happened, no harm caused",
        factors=(
            "communication between agencies",
            "prioritising immediate harm over need / thresholds",
        ),
        stopped="mum agreed to gran having him",
        feedback=True,
    ),
    # 12 (a telephone number slips in)
    Case(
        source="ch.4.6, third case (child brought in on a false passport; immigration lets the "
        "alleged uncle leave; school refuses to say whether the child is in)",
        when="this_week",
        where="school or education",
        who=(
            "child or young person",
            "wider family",
            "immigration",
            "education",
            "social worker",
        ),
        what="immigration let the 'uncle' leave the country without taking his passport and "
        "we didnt know if the girl went with him. school wouldnt tell me if she was in, sat "
        "outside 2 hrs. colleague rang them on 01632 960418 and they told her straight away",
        action="child placed in foster care same day",
        outcome="Happened, no harm caused",
        factors=("communication between agencies",),
        stopped="colleague who gets on w the school",
        feedback=False,
    ),
    # 13
    Case(
        source="ch.4.7, 'rule of optimism' case (long-known mother swaps drugs for alcohol; "
        "children left in her care; later found home alone)",
        when="sat night",
        where="long-term / family support case",
        who=(
            "child or young person",
            "parent or carer",
            "social worker",
            "manager",
            "out-of-hours team",
        ),
        what="family known for years, mum off drugs but drinking now. we left the 2 kids with "
        "her cos shes been doing so well even tho TL warned us about the rule of optimism. "
        "EDT found the kids home alone while she was out drinking",
        action="kids removed to foster care",
        outcome="Harm: child left at risk",
        factors=("drift or optimism in a long-term case",),
        stopped=None,
        feedback=False,
    ),
    # 14 (long, upset)
    Case(
        source="ch.4.7, EDT handover case (7-year-old with a mentally ill mother; EDT visits "
        "without seeing the child; child had packed her bags waiting to be taken somewhere "
        "safe)",
        when="today",
        where="out of hours (EDT)",
        who=(
            "child or young person",
            "parent or carer",
            "wider family",
            "out-of-hours team",
            "police",
            "education",
        ),
        what="School referred a 7yo, mums MH really bad, we thought her aunt was collecting "
        "her so assumed she was safe. Nobody in when we did the home visit so we passed it to "
        "EDT. Aunt got thrown out and rang police saying mum had threatened the child with a "
        "knife, EDT went out but never even saw her and left her there. Saw her at school "
        "today and she said mum held a knife to her throat and shed packed her bag and sat "
        "waiting all night for someone to come. Im so angry I cant believe we left her there",
        action="child taken into care today, TM and EDT manager told",
        outcome="Harm: child left at risk",
        factors=(
            "case transfer or handover",
            "resources not available",
            "communication between agencies",
        ),
        stopped="she told us at school. and her aunt rang the police",
        feedback=True,
    ),
    # 15
    Case(
        source="ch.5.4, team leader on a 'crazy day' on duty when 'everyone chipped in' "
        "(informal team learning, no formal forum)",
        when="today",
        where="office or phone",
        who=("child or young person", "education", "social worker"),
        what="mad duty day, I nearly closed a school referral about bruising as info only. "
        "colleague going through the tray with me spotted it",
        action="child seen at school this afternoon, strategy discussion booked",
        outcome="Stopped before it happened",
        factors=("workload and time pressure",),
        stopped="everyone chipped in on duty and someone double checked",
        feedback=False,
    ),
    # 16 (statutory route)
    Case(
        source="ch.3.5, Table 5, 'life-threatening injury or death' grade (serious injury "
        "where agencies knew of concerns; inter-agency working in question)",
        when="yesterday",
        where="hospital or health",
        who=(
            "child or young person",
            "parent or carer",
            "health",
            "police",
            "social worker",
        ),
        what="9 wk old on CIN plan admitted last night w skull fracture, in PICU. HV had "
        "concerns about dad that never reached us",
        action="strategy meeting held, police involved, safeguarding lead told",
        outcome="Life-threatening injury or death",
        factors=None,
        stopped=None,
        feedback=True,
    ),
)
