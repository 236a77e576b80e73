"""A second, independent set of scripted reporter cases for the nearmiss reporting flow (test data only).

Written without reading the project's code and without reusing bench/reporter_cases.py's cases: only
its `Case` dataclass is shared (imported), with the same fields and meanings. Each case is a near miss a stressed
frontline worker (social worker, team leader or manager, EDT worker, family support worker, health
visitor, teacher) might report from a phone between other tasks, drawn from a case study, example or
finding of the SCIE report (seeds/scie-report-managing-risk-minimising-mistakes.txt) that the first
set does not use. Labels for 'where', 'who', 'outcome' and 'factors' are copied exactly from
DESIGN.md's default lists and grade table.

Deliberate features:
- typed dates: "14/11"; "01/12", which reads as 1 December in the UK and 12 January in the US (both in
  the past on 2 December 2026); "sun about 11pm" and "tues 2am", which carry a time of day
- identifiers that slip in (must be masked): a child's first name (case 6), a colleague's first name
  (case 10), a telephone number in the Ofcom drama range (case 4), a street address (case 11)
- the reporter types the 'where' label instead of tapping it: typed_choice=True (cases 3 and 11)
- the literal word "skip" typed on the optional "what stopped it" question (cases 2 and 11); the
  optional questions left out altogether elsewhere (factors None, stopped None)
- all five outcome buttons used; feedback chosen by seven reporters, refused by five
"""

from bench.reporter_cases import Case

CASES = (
    # 1 (health visitor)
    Case(
        source="ch.3.2, third case (newborn of a mother with learning disabilities; her need for "
        "support not picked up antenatally or in hospital; baby shaken within hours of leaving "
        "hospital, luckily unhurt)",
        when="yesterday",
        where="hospital or health",
        who=("child or young person", "parent or carer", "health", "social worker"),
        what="new birth visit, mum has LD and nobody picked up shed need support, not antenatal "
        "not on the ward. few hrs after discharge she shook baby cos he wouldnt stop crying. she told me herself",
        action="baby checked at A&E no injury found. referred to childrens services same day, dads mum staying "
        "with them for now",
        outcome="Happened, no harm caused",
        factors=("communication between agencies", "assessment tools and procedures"),
        stopped="mum being honest with me tbh. and luck",
        feedback=True,
    ),
    # 2 (team manager)
    Case(
        source="ch.4.5, team manager on the part 8 review looking at a delayed strategy meeting "
        "('it took two days to get the files'; files moved to another building, others kept in "
        "rat-infested cellars)",
        when="this_week",
        where="strategy meeting or conference",
        who=("social worker", "manager", "police"),
        what="strat mtg put back 2 days cos the old files went to the other building and admin couldnt get "
        "them. wasnt going ahead without the background",
        action="chased records mgr, police ok to wait, SW saw kids in the meantime",
        outcome="Happened, no harm caused",
        factors=("access to information or records", "resources not available"),
        stopped="skip",
        feedback=False,
    ),
    # 3 (social worker taking over a case; the 'where' label is typed, not tapped)
    Case(
        source="ch.4.5, parent's account (assessment report never checked with the family; things "
        "missed, misrepresented or made up, found only when the courts were involved)",
        when="yesterday",
        where="Police or court",
        who=("parent or carer", "social worker"),
        what="took this case over last month. parents say the assessment in the court bundle isnt what they "
        "told us, some bits wrong and one thing they never said at all. it was never gone through with them "
        "before it was filed",
        action="told TM and legal. going through it line by line with them tmrw then addendum to court",
        outcome="Harm: family wrongly judged a risk",
        factors=("assessment tools and procedures", "case transfer or handover", "workload and time pressure"),
        stopped=None,
        feedback=True,
        typed_choice=True,
    ),
    # 4 (health visitor; a telephone number slips in)
    Case(
        source="ch.4.6, parent's example (child with ADHD hanging from a window ledge; window locks "
        "asked for and not provided; fitted within two weeks once the housing manager, prompted by "
        "the health visitor, phoned social services)",
        when="this_week",
        where="home visit",
        who=("child or young person", "parent or carer", "housing", "health"),
        what="mum caught her son (adhd) hanging off the outside window ledge. shes been asking SS for window "
        "locks for weeks, told its not a priority",
        action="rang housing mgr on 07700 900461, she got onto SS and locks being fitted. emailed duty as well",
        outcome="Harm: child left at risk",
        factors=("prioritising immediate harm over need / thresholds", "resources not available"),
        stopped="mum got to him in time",
        feedback=True,
    ),
    # 5 (teacher, designated safeguarding lead)
    Case(
        source="ch.4.4.1, young people's group interview (a young person living in fear of a violent "
        "father, seriousness not recognised; 'they could have like had a word with me like, by myself')",
        when="14/11",
        where="school or education",
        who=("child or young person", "parent or carer", "education", "social worker"),
        what="yr 9 girl disclosed dads been violent at home for ages and shes terrified of him. says SW only "
        "ever sees her with dad in the room, never on her own",
        action="logged it, rang front door, SW came in to school and saw her alone",
        outcome="Harm: child left at risk",
        factors=None,
        stopped=None,
        feedback=False,
    ),
    # 6 (family support worker; the child's first name slips in)
    Case(
        source="ch.4.7, team leader's family support team case (child previously on the register "
        "re-referred with depression, hair loss and delayed growth; mother barricades herself in; "
        "emergency protection order, door knocked down)",
        when="yesterday",
        where="long-term / family support case",
        who=("child or young person", "parent or carer", "social worker", "police", "manager"),
        what="child weve had open for ages got re-referred, hair falling out, not growing, really low. when "
        "they went to remove mum barricaded them in and Jade said my mums going to kill herself now. EPO and "
        "police had to take the door in. we all knew things werent right for months but nothing changed on "
        "the plan",
        action="EPO granted, child with foster carer last night. police took mum to hosp",
        outcome="Harm: child left at risk",
        factors=("drift or optimism in a long-term case", "supervision and support", "workload and time pressure"),
        stopped="police got there quick",
        feedback=True,
    ),
    # 7 (social worker)
    Case(
        source="ch.4.7, closing example (mother who used alcohol; daughter's series of accidental "
        "injuries from poor supervision; child-in-need plan; health did not judge the threshold for "
        "child protection met; girl found abandoned in the street by police)",
        when="sun about 11pm",
        where="police or court",
        who=("child or young person", "parent or carer", "police", "health", "social worker"),
        what="CIN case, mum drinks, little girl has had 3 or 4 accidents this yr from not being watched. asked "
        "for CP conf twice and health said not bad enough. police found her on her own in the street, mum off "
        "her head at home",
        action="police protection overnight, shes with nan. strat mtg booked for today",
        outcome="Happened, no harm caused",
        factors=("prioritising immediate harm over need / thresholds", "communication between agencies"),
        stopped="someone walking past rang police. no injuries thank god",
        feedback=False,
    ),
    # 8 (duty social worker)
    Case(
        source="ch.4.8, single point of entry (referrals without clear indicators linger on the "
        "periphery and 'almost have to become' a near miss to be picked up)",
        when="today",
        where="referral and intake",
        who=("child or young person", "education", "health", "social worker"),
        what="3rd contact in 5 wks about the same 2 kids, school then HV then school again. first 2 closed at "
        "front door as no single incident. read together its neglect",
        action="put all 3 together, TM agreed assessment, allocated",
        outcome="Stopped before it happened",
        factors=("prioritising immediate harm over need / thresholds", "assessment tools and procedures"),
        stopped=None,
        feedback=True,
    ),
    # 9 (social worker, terse)
    Case(
        source="ch.4.8, time and the pressure to complete assessments (cutting corners; time with the "
        "child or parent to check the assessment pushed out)",
        when="this_week",
        where="assessment",
        who=("child or young person", "social worker", "manager"),
        what="nearly closed assessment at day 44 without seeing the child on his own, only ever with mum",
        action="saw him at school next day",
        outcome="Stopped before it happened",
        factors=("workload and time pressure",),
        stopped="TM asked in supervision",
        feedback=False,
    ),
    # 10 (team leader; a colleague's first name slips in; a date ambiguous between UK and US reading)
    Case(
        source="ch.5.3, team leader's account (a decision not recorded at the time it was made; the "
        "service manager's 'you have to cover yourself')",
        when="01/12",
        where="office or phone",
        who=("parent or carer", "social worker", "manager"),
        what="decision that dads contact stays supervised was made on the phone with me and never got recorded. "
        "Dave on duty had dad ringing and nearly agreed unsupervised for the weekend as nothing on file said "
        "otherwise",
        action="he checked with me first. decision on the file now + email to team",
        outcome="Stopped before it happened",
        factors=("access to information or records", "workload and time pressure"),
        stopped="him asking before saying yes",
        feedback=True,
    ),
    # 11 (EDT worker at night; the 'where' label is typed, not tapped; an address slips in)
    Case(
        source="ch.4.9, defensive decision-making where risks are over-estimated at the expense of "
        "supporting families; ch.3.5, false positives ('inaccurately assessing a family as dangerous')",
        when="tues 2am",
        where="out of hours (EDT)",
        who=("child or young person", "parent or carer", "wider family", "police", "out-of-hours team"),
        what="police rang re 4yr old left with 15yr old sibling at 14 Elm Road, mum not answering. I agreed "
        "emergency foster placement. turned out mum was in A&E with the baby and nan was on her way, wed have "
        "known if wed waited 20 mins",
        action="child home by 9, day team told, apologised to mum",
        outcome="Harm: family wrongly judged a risk",
        factors=None,
        stopped="skip",
        feedback=False,
        typed_choice=True,
    ),
    # 12 (social worker, upset)
    Case(
        source="ch.4.7, service manager's commentary (children 'known to everybody for a long time'; "
        "'deadening' of involvement; standards sliding on the 'long-term drudge'), graded by ch.3.5 "
        "Table 5 'life-threatening injury or death'",
        when="today",
        where="hospital or health",
        who=("child or young person", "parent or carer", "health", "social worker", "police"),
        what="toddler on my caseload 3 yrs in PICU this morning with a head injury, police involved. we got used "
        "to this family, missed appts and the state of the house just became normal for them. keep thinking "
        "wed never have accepted it for a new referral",
        action="strat mtg this afternoon, sibling placed with family, told my manager and safeguarding lead",
        outcome="Life-threatening injury or death",
        factors=("drift or optimism in a long-term case", "workload and time pressure", "supervision and support"),
        stopped=None,
        feedback=True,
    ),
)
