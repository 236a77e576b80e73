"""Finds identifiers in free text and masks them before anything is stored.

Everything runs offline on the text normalised once (NFKC, no invisible or control characters):
patterns with checksums for structured identifiers, phonenumbers for phone numbers, and a names
gazetteer with context (flows/names.py). Each detector returns spans; earlier detectors win
where spans overlap, so a URL is not also read as a name or a phone number.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from flows import welsh
from flows.names import find_names


class Identifier(StrEnum):
    URL = "link"
    EMAIL = "email"
    NHS = "NHS number"
    NI = "NI number"
    CASE = "case number"
    DOB = "date of birth"
    POSTCODE = "postcode"
    PHONE = "phone"
    ADDRESS = "address"
    VEHICLE = "vehicle registration"
    HANDLE = "handle"
    SCHOOL = "school"
    NAME = "name"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Identifier


@dataclass(frozen=True)
class Masked:
    text: str  # the normalised text with each identifier replaced
    found: Counter[Identifier]
    source: str  # the normalised text, before masking
    spans: tuple[Span, ...]  # where each identifier was, in `source`


_URL = re.compile(
    r"\b(?:https?://|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/)[^\s<>\"]*[^\s<>\".,;:!?)\]]",
    re.IGNORECASE,
)
# A bare domain: "savethepriceboys.org", "chatzone4teens.live", "vapes.co.uk" (after emails).
_DOMAIN = re.compile(
    r"(?<![@\w.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|uk|live|io|app|info|biz|xyz|me|tv|online|site"
    r"|shop|club|wales|cymru|ie|gg|chat|social|fun)\b(?![@.]\w)",
    re.IGNORECASE,
)
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+)"
_TLD = r"(?:com|org|net|uk|gov|nhs|ac|sch|edu|io|me|wales|cymru|ie|info)"
_EMAIL = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\b"  # with or without its ending: "jo.bloggs@gmail"
    # written out: "jo dot bloggs at gmail dot co dot uk", "kelly.p at outlook.com", "jo(at)x.org"
    rf"|\b[\w+-]+(?:(?:\.|{_DOT})[\w+-]+)*{_AT}[\w-]+(?:(?:{_DOT}|\.)[\w-]+)*(?:{_DOT}[a-z]{{2,}}|\.{_TLD})\b",
    re.IGNORECASE,
)
_PLATFORMS = (
    r"snap|snapchat|insta|instagram|ig|tiktok|tik tok|twitter|facebook|fb|telegram|whatsapp|discord|kik|threads"
    r"|youtube|twitch|roblox|xbox|psn|playstation|fortnite|yubo|bereal|onlyfans|signal|steam|reddit|site|app"
)
_PLATFORM = re.compile(rf"\b(?:{_PLATFORMS})\b", re.IGNORECASE)
_HANDLE_WORDS = r"handle|username|user ?name|gamer ?tag|screen ?name"
# After a platform's name (or "username"): a handle-like word, or up to four capitalised words.
_HANDLE = re.compile(
    r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"  # @jsmith_sw, @ruby.rose.x, a Slack @U024BE7LH
    r"|\bu/\w+"  # reddit's u/WelshDad2015
    # "on Snap as lily_xo", "insta: jaydenb_07", "facebook name is Shaz Loves Lily", "gamertag SnipeZ Kid22"
    rf"|(?i:\b(?:(?:{_PLATFORMS})\b(?:\s+(?:{_HANDLE_WORDS}|account|profile|id|tag|name))?|(?:{_HANDLE_WORDS})\b)"
    r"(?:\s*[:(]\s*|\s+-\s+|\s+(?:is|was|as|called|named|under|by)\s+|(?<=tag|ame|dle) )(?:(?:called|named|as)\s+)?)"
    r"(?P<handle>@?[A-Z][\w.]*(?: [A-Z][\w.]*){1,3}\b|@?[A-Za-z0-9_](?:[\w.]*\w)?(?:#\d{4})?)",
)
# A word shaped like a handle (an underscore, letters and digits mixed, inner capitals or dots,
# a Discord #1234) near a platform's name: "calls herself babygirl_xo143 on snap".
_HANDLE_SHAPED = re.compile(
    r"(?<![\w@./#-])(?=[\w.#]*(?:_|[A-Za-z]\d|\d[A-Za-z]|[a-z][A-Z]|[a-z]\.[a-z]|#\d))[A-Za-z0-9_][\w.]*\w(?:#\d{4})?"
    r"(?![\w@/-]|\.\w)"
)
_NOT_HANDLE_SHAPED = re.compile(r"^(?:\d+(?:am|pm|yo|yrs?|th|st|nd|rd|s)|[A-Za-z]{1,2}\d{1,3}|Mc[A-Z]\w+|Mac[A-Z]\w+)$")
# Words that follow a platform's name but are no handle: "on Snapchat as well".
_NOT_HANDLES = frozenset(
    """
a an the and but or well too he she they him her them his hers their it its i we you me us this that
usual normal always before after also still now again only often every all both someone something
friends a friend messages message instead then there here private public blocked on in at of for with from
to via hi fe fo e nhw yw ydy oedd wedi yn ei eu
""".split()
)
# Not the digits of a reference with letters before them: "SWP-2412180334" is a police log's number.
_NHS = re.compile(r"(?:(?<![A-Za-z][-/])|(?<=NHS[-/]))\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
_NI = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
# After "NI", "NINO" or "national insurance", anything in NI shape, whatever its prefix.
_NI_CUED = re.compile(
    r"\b(?:NI|NINO|N\.I\.|national insurance)(?:\s*(?:no|number|num|#))?\.?\s*[:#-]?\s*(?:is\s+|was\s+)?"
    r"(?P<ni>[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}(?:\s?[A-Z])?)\b"
    # Welsh: "rhif YG y tad QQ 12 34 56 C", "rhif Yswiriant Gwladol: ..."
    rf"|\b(?:{welsh.NI_WORDS})\s*[:#-]?\s*{welsh.NI_OWNER}(?P<welsh>[A-Z]{{2}}\s?\d{{2}}\s?\d{{2}}\s?\d{{2}}(?:\s?[A-Z])?)\b",
    re.IGNORECASE,
)
# An NI number in the card's layout, pairs of digits spaced, is one whatever its prefix ("QQ 12 34 56
# C", a prefix never issued, is still one mistyped or invented for a form); and so is anything in NI
# shape later in a sentence that names an NI number ("rhif NI mam ar y ffurflen: ..., ond ...").
_NI_SPACED = re.compile(r"\b[A-Z]{2} \d{2} \d{2} \d{2} [A-D]\b")
_NI_SHAPED = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}(?:\s?[A-D])?\b", re.IGNORECASE)
_NI_EARLIER = re.compile(
    rf"(?:\b(?:NI|NINO|{welsh.NI_WORDS})\b|N\.I\.|(?i:\bnational insurance\b|\byswiriant gwladol\b))"
    r"(?:[^.!?\n]|\.(?!\s))*$"
)
_SYSTEMS = (
    r"case|ref|reference|id|no|num|number|file|mosaic|lcs|liquidlogic|eclipse|carefirst|frameworki|azeus|ehm|ehcp|crn"
    r"|cyf|achos|wccis|log|crime|incident|occurrence"
)
# A record system's or a register's own name is masked with its number ("WCCIS 4471203", "CIN
# 20774", "CP 66123"), which reads as one thing.
_NAMED_SYSTEMS = r"mosaic|lcs|liquidlogic|eclipse|carefirst|frameworki|azeus|wccis|cin|cp|lac"
_CASE = re.compile(
    rf"\b(?P<named>(?:{_NAMED_SYSTEMS})\s*(?:(?:no\.?|number|id|ref|rhif)\s*)?:?\s*#?\d[A-Z0-9]*(?:[-/][A-Z0-9]+)*)\b"
    rf"|(?:\b(?:{_SYSTEMS})\b\.?\s*(?:no\.?|number|id|ref|achos|rhif)?\s*:?\s*(?:is\s+|was\s+)?)"
    rf"(?P<ref>#?[A-Z0-9]+(?:(?:[-/]| (?=\d))[A-Z0-9]+)*)\b"
    rf"|\b(?P<shaped>[A-Z][A-Z0-9]{{0,4}}(?:[-/][A-Z]{{1,4}})*(?:[-/]\d{{2,12}}){{1,3}}(?:[-/][A-Z]{{1,4}})?)\b"
    rf"|\b(?P<mixed>[A-Z]{{1,3}}\d{{1,4}}[A-Z]{{1,2}}\d{{3,8}})\b"  # a court's CF24C50213
    # MOS1234567, 12AB34567, 88123/B
    rf"|\b(?P<lettered>[A-Z]{{1,4}}\d{{5,10}}[A-Z]?|\d{{2,4}}[A-Z]{{1,3}}\d{{3,8}}|\d{{4,8}}/(?-i:[A-Z]))\b"
    rf"|\b(?P<long>\d{{6,9}})\b",  # a bare long number that is not a phone or NHS number
    re.IGNORECASE,
)
_CASE_MIN_DIGITS = 4
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r" ?(?:\d|(?-i:O))[ABD-HJLNP-UW-Z]{2})\b",  # BS5 OEE, typed with a letter O
    re.IGNORECASE,
)
_MONTH = rf"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|{welsh.MONTHS}"
_MONTH += rf"|(?:{welsh.MONTHS_SHORT})\.?)"  # and Welsh shortened: "22 Meh 2019"
# 3rd; Welsh 1af, 2il, 14eg; a Welsh ordinal with its article, as formal Welsh writes a day: "yr ail ar hugain".
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|(?:(?:y|yr) )?(?:\d{{1,2}}(?:af|il|ydd|edd|fed|ed|eg|ain)|{welsh.ORDINALS}))"
_YEAR = r"(?:\d{4}|['’]\d{2})"
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}[-./]\d{{1,2}}[-./]\d{{1,2}}"
    rf"|{_DAY}(?: of| o)?[ -]{_MONTH},?[ -](?:{_YEAR}|\d{{2}}\b)|{_MONTH} {_DAY},? {_YEAR})"
)
# Dates written only after a birth word: "12. 5. 2013", "22 04 2007", "the 3rd of April".
_BARE_DATE = rf"\d{{1,2}}\.\s\d{{1,2}}\.\s\d{{4}}|\d{{1,2}} \d{{1,2}} (?:19|20)\d{{2}}|{_DAY}(?: of)? {_MONTH}(?! \d)"
# A date is a date of birth when birth, age or DOB is mentioned just before or just after it.
_DOB = re.compile(
    rf"(?:\b(?:d\.?o\.?b|date of birth|born(?: on| in)?|birthday(?: is)?|b\.|aged? \d{{1,2}}\W*(?:born|dob)?"
    rf"|(?<![\w.])(?:{welsh.BIRTH_WORDS}))"
    rf"\s*[:\-(]?\s*(?:(?:is|was|as|on|on the|the|{welsh.BIRTH_FILLERS})\s+)?)"
    rf"(?P<date>(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{_DATE}|{_MONTH},? \d{{4}}|{_BARE_DATE}))"
    rf"|\b(?:d\.?o\.?b\.?|born)\s*:?\s*(?:in\s+)?(?P<year>(?:19|20)\d{{2}})\b(?![/.-]\d)"  # "born in 2012"
    rf"|(?P<before>{_DATE})\b(?=\s*[,(]?\s*(?:so |now |\()?\s*(?:is |aged? )?\d{{1,2}}\s*(?:now|years?|yrs?|yo|y/o|\)))",  # noqa: E501
    re.IGNORECASE,
)
_DATES = re.compile(rf"\b(?:{_DATE}|{_BARE_DATE})\b", re.IGNORECASE)
# Words of a birth or an identity document, after which a date is a date of birth.
_DOCUMENT_WORDS = r"passport|home office|birth certificate|brp|visa|id card|identity card|age assessment|age dispute"
_BIRTH_WORDS = rf"d\.?o\.?b\.?|date of birth|born|birthday|aged?|{_DOCUMENT_WORDS}"
_BIRTH_BEFORE = re.compile(
    rf"\b(?:{_BIRTH_WORDS})(?:\b|(?<=\.))[^.!?\n]{{0,30}}$"
    rf"|\b(?:{_DOCUMENT_WORDS})\b[^.!?\n]{{0,50}}$"
    rf"|(?<![\w.])(?:{welsh.BIRTH_WORDS})(?:\b|(?<=\.))[^.!?\n]{{0,100}}$",
    re.IGNORECASE,
)
# A birth word just after a date, or the birth certificate a little further: "12/12/2011 yw e yn ôl y
# dystysgrif geni", "12/12/2011 according to her birth certificate".
_BIRTH_AFTER = re.compile(
    r"^[^.!?\n]{0,20}\b(?:d\.?o\.?b|date of birth|birthday|dyddiad geni|ddyddiad geni)\b"
    rf"|^[^.!?\n]{{0,30}}\b(?:birth certificate|{welsh.BIRTH_CERTIFICATE})\b",
    re.IGNORECASE,
)
_ANOTHER_RECORD = re.compile(
    r"^[^.!?\n]{0,60}\b(?:but|whereas|while|other|has|have|had|gives|records?|recorded|shows|lists?|states"
    rf"|{welsh.RECORD_WORDS})\b[^.!?\n]{{0,30}}$"
)
_AFTER_NAME = re.compile(r"^[\s,(]{0,3}$")
# A household list's brackets after a name, who the person is and the date closing them: "Cai Gittins
# (brawd, 04.05.2013)", "Ava (sister, 3/4/2015)".
_ROLE_AFTER_NAME = re.compile(r"^\s*\(\s*[^\W\d_]+(?:[ '’-][^\W\d_]+){0,3},\s*$")
_BRACKET_CLOSES = re.compile(r"\s*\)")
_STREET = (
    r"street|st|road|rd|avenue|ave|lane|ln|close|cl|drive|dr|way|crescent|cres|court|ct|gardens|gdns"
    r"|place|pl|terrace|grove|walk|hill|park|square|sq|row|view|mews|rise|green|parade|estate|villas"
    r"|fold|wynd|brae|croft|meadow|meadows|chase|gate|vale|boulevard|wharf|quay|cottages|bank|yard"
    r"|heights|(?!away\b)[a-z]+way"
)
_BUILDING = r"(?:[A-Z][a-z]+\s+){1,2}(?:Court|House|Tower|Heights|Lodge|Mansions|Point|Buildings|Cottage|Farm)"
_NUMBERED_STREET = rf"\d{{1,4}}[a-z]?(?:-\d{{1,4}}[a-z]?)?,?\s+(?:[a-z'’-]+\s+){{0,3}}(?i:{_STREET})\b"
_TOWN_AFTER = r"(?:,\s+[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\b(?!\s+[a-z]))?"  # "27 Commercial Street, Pontypool"
_FLAT = (  # and Welsh "Rhif 8, Teras Glanrafon"
    r"(?i:flat|fflat|apartment|apt|unit|room|pitch|caravan|no\.|ystafell|llain|plot|rhif)\s*\d+(?:/\d+)?[a-zA-Z]?,?\s+"
)
# Welsh streets name their kind first: "14 Heol y Parc, Caerfyrddin", "Lôn Las, Pwllheli",
# "3 Rhodfa'r Môr", "Tŷ Gwyn, 6 Maes y Llan", "Ystafell 14, Gwesty'r Llew, Stryd Fawr".
_WELSH_WORD = r"[A-ZÀ-ÖØ-ÞĀ-Ž](?:(?!\d)[\w'’-])*+(?!\d)"  # a whole word, not the "CF" of "CF24"
_WELSH_NAMED = rf"{_WELSH_WORD}(?:\s+(?:(?:y|yr)\s+)?{_WELSH_WORD}){{0,2}}"  # "Bwthyn y Ddôl", "Cae Garw"
_WELSH_TOWN = rf"(?:,\s+{_WELSH_WORD}(?:\s+(?:ar\s+)?{_WELSH_WORD})?(?=[\s,.]|$))?"  # "Pen-y-bont ar Ogwr"
_WELSH_STREET = rf"(?:['’]r)?\s+(?:(?:y|yr)\s+)?{_WELSH_NAMED}{_WELSH_TOWN}"
# A house's name before its number is no person's name after a title or an initial: "Mr A. R. Pugh, 5
# Lôn Las" is a name and an address, "Llys Meirion, 11 Ffordd Glyndŵr" one address.
_NOT_A_PERSON = r"(?<!Mr )(?<!Mrs )(?<!Ms )(?<!Dr )(?<![A-Z]\. )(?!(?:Mr|Mrs|Ms|Miss|Dr)\b)"
_WELSH_ADDRESS = (
    rf"(?:{_FLAT}|{_NOT_A_PERSON}{_WELSH_NAMED},\s+)?\d{{1,4}}[a-z]?,?\s+(?:[Yy]r?\s+)?(?:{welsh.STREETS}|{welsh.NUMBERED_STREETS})"
    rf"{_WELSH_STREET}"
    rf"|(?:{_FLAT}(?:{_WELSH_NAMED},\s+)?(?:{welsh.STREETS}|{welsh.NUMBERED_STREETS})"
    rf"|(?!(?:{welsh.OFFICES})\b){_WELSH_NAMED},\s+(?:{welsh.STREETS})|(?:{welsh.DWELLINGS})){_WELSH_STREET}"
)
# In Welsh text only, a house number before a word of the land and a name: "15 Ael y Bryn", "30
# Dôl Afon", "Fflat 2, 10 Cae Gwyn", and in lower case with "y": "8 pen y maes".
_WELSH_PLACE_ADDRESS = re.compile(
    rf"\b(?:{_FLAT})?\d{{1,4}}[a-z]?,?\s+(?:{welsh.PLACE_NOUNS}){_WELSH_STREET}"
    rf"|\b{_FLAT}(?:{welsh.PLACE_NOUNS}){_WELSH_STREET}"  # "Fflat 11, Llys Eifion, Porthmadog"
    rf"|\b(?:{welsh.STREETS_MUTATED}){_WELSH_STREET}"  # "ym Mwthyn y Ddôl, Llanuwchllyn"
    rf"|\b\d{{1,4}}[a-z]?\s+(?i:{welsh.PLACE_NOUNS})\s+(?:y|yr)\s+[a-zà-ÿŵŷ'’-]+\b"
)
_ADDRESS = re.compile(
    # "Fflat 3, 8 Stryd Fawr, Bangor", "Bryn Awel, Lôn Las, Pwllheli", "5 Cilgant y Dderwen"
    rf"\b(?:{_WELSH_ADDRESS})"
    # "Flat 3, 22 Harbour Road", "Flat 14, Tower Court, 2 Bridge Street", "7b mill lane"
    rf"|\b(?:{_FLAT}(?:{_BUILDING},?\s+)?)?(?i:{_NUMBERED_STREET}){_TOWN_AFTER}"
    # "Flat 12 Priory Court", "Pitch 12, Fairfield Park", "Pitch 4, Riverside Traveller Site"
    rf"|\b{_FLAT}{_BUILDING}\b(?:,\s+(?:[A-Z][a-z'’]+\s+){{1,2}}(?i:{_STREET})\b)?"
    rf"|\b{_FLAT}(?:[A-Z][\w'’]+\s+){{1,3}}(?i:{_STREET}|site)\b"
    # "21 Ashgrove", "4 Woodside"
    rf"|\b\d{{1,4}}[a-z]?\s+[A-Z][a-z]+(?:grove|field|fields|wood|croft|dale|mead|hurst|side|way|gate|bank)\b"
    # after "address:", whatever follows up to a comma, a postcode or the end: "ADDRESS: FLAT 7 BRYN HEULOG"
    rf"|(?<=(?i:address):)\s*[\w'’ -]{{0,60}}\w(?:,\s+(?![A-Z]{{1,2}}\d)[\w'’ -]{{0,60}}\w){{0,2}}"
    rf"(?=\s*(?:,|$|\.\.\.|\s[A-Z]{{1,2}}\d))"
    # after "at" or "@", a number and capitalised words: "@ 2 Bron y De"
    rf"|(?<=(?:\bat|.@) )\d{{1,4}}[a-z]?\s+[A-Z][a-z'’]+(?:\s+(?:y|yr|the|of|[A-Z][a-z'’]+))*\b(?<![A-Z][a-z]m)"
    # Welsh streets in lower case after a number: "44 maes glas", "23a heol y parc"
    rf"|\b\d{{1,4}}[a-z]?\s+(?i:{welsh.STREETS})(?:\s+(?:y|yr))?(?:\s+[a-zà-ÿŵŷ'’-]+){{1,2}}\b"
    # "The Willows, Church Street", "Rose Cottage, Back Lane": capitalised, so case matters here
    rf"|\b(?:{_FLAT})?(?:(?:The\s+(?:[A-Z][a-z]+\s+)?[A-Z][a-z]+|{_BUILDING}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?),\s+)?"
    rf"(?:[A-Z][a-z'’]+\s+){{1,2}}(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Gardens|Terrace|Grove|Way|Mews|Place"
    rf"|Rd|Ave)\b"
    rf"(?!\s+(?i:surgery|school|station|clinic|practice|centre|health|children'?s|home|academy|hospital|nursery))",
)
# A Welsh form's address label, and the house's name or street after it up to a comma: "Cyfeiriad
# blaenorol: Tyddyn Eithin, Llanrhystud", "Cyfeiriad: Gwêl y Môr, Aberdaron".
_LABELLED_ADDRESS = re.compile(
    r"\bCyfeiriad(?:\s+(?:blaenorol|presennol|newydd|cartref|parhaol|dros dro))?\s*:\s*"
    rf"(?P<address>{_WELSH_WORD}(?:\s+(?:y|yr|{_WELSH_WORD})){{1,3}})(?=\s*,)"
)
# An office's or a body's name just before a house's name and a street: "Gwasanaethau Plant, Ffordd y
# Frenhines" or "Swyddfeydd y Sir, Ffordd y Gogledd" is where it works, not anyone's home.
_OFFICE_BEFORE = re.compile(rf"\b(?:{welsh.OFFICES})(?:\s+(?:y|yr|[A-Z][\w'’-]*))*\s+$")
_POSTCODE_NEXT = re.compile(rf"[\s,]{{0,3}}(?:{_POSTCODE.pattern})", re.IGNORECASE)
_PHONE_MIN_DIGITS = 10
_O_FOR_ZERO = re.compile(r"(?<![A-Za-z])[\dOo]*\d[\dOo]*(?![A-Za-z])")  # "07700 9OO123"

# UK registrations: current (AB12 CDE), prefix (P123 ABC) and suffix (ABC 123D). The current
# shape in capitals is masked anywhere; any of them, in any case, near a word about a vehicle.
_REG_CURRENT = r"[A-Z]{2} ?\d{2} ?[A-Z]{3}"  # AB12 CDE, ML 15 KPT
_VEHICLE = re.compile(rf"\b(?:{_REG_CURRENT}|[A-HJ-NPR-TV-Y]\d{{3}} ?[A-Z]{{3}})\b")  # and R429 KLP
_VEHICLE_SHAPES = re.compile(
    rf"\b(?:(?i:{_REG_CURRENT})|[A-HJ-NPR-TV-Y]\d{{1,3}} ?[A-Z]{{3}}|[A-Z]{{3}} ?\d{{1,3}}[A-HJ-NPR-TV-Y])\b"
)
_VEHICLE_WORDS = re.compile(
    r"\b(?:cars?|vans?|vehicles?|reg|registration|plates?|taxi|cab|motorbike|moped|lorry|truck|suv|hatchback|dvla"
    r"|anpr|drove|driving|driven|driver|parked|ford|vauxhall|bmw|audi|mercedes|toyota|nissan|volkswagen|vw|kia"
    r"|honda|peugeot|renault|skoda|fiat|seat|volvo|mini|hyundai|tesla|astra|corsa|fiesta|focus|golf|polo|clio"
    r"|transit|qashqai|juke|micra|escort|mondeo|zafira|insignia|yaris|aygo|civic|octavia|fabia|sprinter|punto)\b",
    re.IGNORECASE,
)

# Schools, nurseries and colleges: capitalised words before what kind of school it is.
_SCHOOL_KINDS = (
    r"School|Academy|College|Nursery|Primary|High|Infants?|Juniors?|Pre-?[Ss]chool|Playgroup|Sixth Form"
    r"|PRU|Pupil Referral Unit|Children['’]s Centre|Kindergarten|Montessori|Grammar|Alternative Provision"
    r"|Learning Centre"
)
_SCHOOL_QUALIFIERS = (
    r"Primary|Infants?|Junior|Secondary|High|Grammar|Community|Catholic|Comprehensive|Special|Free|Prep"
    r"|Preparatory|Middle|Upper|Lower|Church|C of E|CofE|CE|RC|Methodist|Islamic|Jewish|Independent|Day|Girls['’]?"
    r"|Boys['’]?|Nursery"
)
_NOT_A_SCHOOL_AFTER = r"(?!\s+(?:Hospital|Hospitals|Trust|of\s+[A-Z]))"  # King's College Hospital, Royal College of...
_SCHOOL = re.compile(
    rf"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][\w'’-]*\s+(?:(?:of|the|and|&|on|upon|in)\s+)?){{1,4}}"
    rf"(?:(?:{_SCHOOL_QUALIFIERS})\s+)*(?:{_SCHOOL_KINDS})\b{_NOT_A_SCHOOL_AFTER}"
    # a saint's school in lower case: "St Mary's primary school"
    rf"|\b(?:St\.?|Saint)\s+[A-Z][\w'’-]*\s+(?i:(?:{_SCHOOL_QUALIFIERS})\s+)*(?i:{_SCHOOL_KINDS})\b(?:\s+school\b)?"
    # in capitals: "ST ANNE'S PRIMARY", "OAKFIELD ACADEMY"
    rf"|\b(?:[A-Z][A-Z'’-]+\s+){{1,3}}(?:(?:{_SCHOOL_QUALIFIERS.upper()})\s+)*(?:{_SCHOOL_KINDS.upper()})\b"
    # a saint's school by its staff: "St Anne's DSL", "ST ANNE'S head"
    rf"|\b(?:(?i:st)\.?|(?i:saint))\s+[A-Z][\w'’-]*['’](?i:s)(?=\s+(?i:dsl|senco|head\w*|deputy|office|staff"
    rf"|pastoral|attendance|reception|teachers?)\b)"
    # lower case, a church school: "bishop carrow rc high"
    rf"|\b(?:[a-z'’]+\s+){{1,3}}(?:rc|ce|cofe|c of e|catholic)\s+(?:primary|high|school|academy|infants|juniors)\b"
    rf"|\b(?:Ysgol|Cylch Meithrin|Meithrinfa|Coleg)(?:\s+(?:(?:y|yr|['’]r)\s+)?[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*){{1,4}}"
)
_SCHOOL_WORDS = re.compile(
    rf"\b(?:{_SCHOOL_KINDS}|{_SCHOOL_QUALIFIERS}|St\.?|Saint|of|the|and|on|upon|in)\b", re.IGNORECASE
)
# Capitalised words before a school's name that are not part of it: "Yesterday Oakfield Academy".
_NOT_SCHOOL_START = re.compile(
    r"^(?:(?:A|An|At|In|On|To|From|Her|His|Their|My|Yesterday|Today|When|After|Before|Then|So|But|And"
    r"|Mum|Dad|Local|New|Old|Same|This|That|Both|Each|Every|All|Via|With|By|For|Of|Both|Only|Also|Called|Rang"
    r"|Told|Said|Asked|I|We|He|She|They|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Head|DSL|SENCO"
    r"|SENCo|Staff|Teacher|Nurse)\s+)+"
)

_NOT_SCHOOL_START_LOWER = re.compile(
    r"^(?:(?:the|a|an|at|in|on|to|from|his|her|their|my|our|local|same|new|old|and|but|with|by|for|of|goes|attends"
    r"|went|go|rang|called|said|told)\s+)*"
)

# Right-to-left override (and left-to-right override) runs, shown to the reader in reverse and
# ended by a pop, a new line or the end.
_OVERRIDE = re.compile("([\u202d\u202e])([^\u202c\u202d\u202e\n]*)\u202c?")


def normalise(text: str) -> str:
    """Returns the text in NFKC form, as a reader sees it, without invisible format or control
    characters: a run under a right-to-left override ("\u202erofakO\u202c", shown as Okafor) is
    turned round first, so a reversed name or number cannot pass as something else."""
    text = _OVERRIDE.sub(lambda m: m[2][::-1] if m[1] == "\u202e" else m[2], unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co"))


def _nhs_checksum_ok(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _spans(
    pattern: re.Pattern[str],
    text: str,
    kind: Identifier,
    group: str | None = None,
    accept: Callable[[str], bool] | None = None,
) -> Iterator[Span]:
    for match in pattern.finditer(text):
        name = group or next((g for g in (match.groupdict() or {}) if match.group(g)), None)
        start, end = match.span(name) if name else match.span()
        if accept is None or accept(text[start:end]):
            yield Span(start, end, kind)


def _phones(text: str) -> Iterator[Span]:
    # POSSIBLE rather than VALID, so numbers from unallocated or fictional ranges are masked
    # too; the digit count keeps short case numbers and times out of it. A letter O typed for a
    # zero is read as one (the text keeps its length, so the spans hold).
    read = _O_FOR_ZERO.sub(lambda m: m[0].replace("O", "0").replace("o", "0"), text)
    for match in phonenumbers.PhoneNumberMatcher(read, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        glued = match.start > 0 and (read[match.start - 1].isalnum() or read[match.start - 1] in "-/")
        glued = glued or "/" in match.raw_string  # a crime number, 45190234/24
        if sum(ch.isdigit() for ch in match.raw_string) >= _PHONE_MIN_DIGITS and not glued:
            yield Span(match.start, match.end, Identifier.PHONE)


def _case_reference(reference: str) -> bool:
    return sum(ch.isdigit() for ch in reference) >= _CASE_MIN_DIGITS


def _ni_in_named_sentence(text: str) -> Iterator[Span]:
    """NI-shaped numbers, whatever their prefix, after words naming an NI number in the sentence."""
    for match in _NI_SHAPED.finditer(text):
        if _NI_EARLIER.search(text, max(0, match.start() - 80), match.start()):
            yield Span(*match.span(), Identifier.NI)


def _dates_of_birth(text: str, names: list[tuple[int, int]]) -> Iterator[Span]:
    """Dates next to a birth word ("DOB", "born", "aged 4"), straight after a name, or another
    record of a date of birth in the same sentence ("born 4 October 2012 but the school has
    4/10/2013")."""
    births = list(_spans(_DOB, text, Identifier.DOB))
    yield from births
    name_ends = {end for _, end in names}
    for match in _DATES.finditer(text):
        start, end = match.span()
        after_name = any(_AFTER_NAME.match(text[e:start]) for e in name_ends if e <= start)
        after_name = after_name or (
            _BRACKET_CLOSES.match(text, end) is not None
            and any(_ROLE_AFTER_NAME.match(text[e:start]) for e in name_ends if start - 40 <= e <= start)
        )
        conflicting = any(b.end <= start and _ANOTHER_RECORD.search(text[b.end : start]) for b in births)
        if (
            after_name
            or conflicting
            or _BIRTH_BEFORE.search(text[max(0, start - 120) : start])
            or _BIRTH_AFTER.match(text[end:])
        ):
            births.append(Span(start, end, Identifier.DOB))
            yield births[-1]


def _place_addresses(text: str) -> Iterator[Span]:
    """Addresses named by a word of the land ("4 Bryn Awel"): in Welsh text, or in any text when
    a Welsh town or a postcode follows ("1 Bron y De, Pwllheli LL53 5AB")."""
    in_welsh = welsh.in_welsh(text)
    for match in _WELSH_PLACE_ADDRESS.finditer(text):
        town = match[0].rpartition(",")[2].strip().lower()
        if in_welsh or town in welsh.TOWNS or _POSTCODE_NEXT.match(text, match.end()):
            yield Span(*match.span(), Identifier.ADDRESS)


def _addresses(text: str) -> Iterator[Span]:
    """Addresses, but not an office's street with no house number."""
    for match in _ADDRESS.finditer(text):
        office = _OFFICE_BEFORE.search(text, max(0, match.start() - 40), match.start())
        if not (office and not any(ch.isdigit() for ch in match[0])):
            yield Span(*match.span(), Identifier.ADDRESS)
    yield from _spans(_LABELLED_ADDRESS, text, Identifier.ADDRESS, "address")


def _handles(text: str) -> Iterator[Span]:
    for span in _spans(_HANDLE, text, Identifier.HANDLE):
        handle = text[span.start : span.end]
        if len(handle.lstrip("@")) >= 2 and handle.lower() not in _NOT_HANDLES:
            yield span
    for match in _HANDLE_SHAPED.finditer(text):
        start, end = match.span()
        near = _PLATFORM.search(text[max(0, start - 40) : start]) or _PLATFORM.search(text[end : end + 30])
        shaped = not _NOT_HANDLE_SHAPED.match(match[0]) and not _PLATFORM.fullmatch(match[0])  # not "WhatsApp"
        if near and len(match[0]) >= 4 and shaped:
            yield Span(start, end, Identifier.HANDLE)


def _vehicles(text: str) -> Iterator[Span]:
    yield from _spans(_VEHICLE, text, Identifier.VEHICLE)
    for match in _VEHICLE_SHAPES.finditer(text):
        start, end = match.span()
        if _VEHICLE_WORDS.search(text[max(0, start - 60) : start]) or _VEHICLE_WORDS.search(text[end : end + 25]):
            yield Span(start, end, Identifier.VEHICLE)


def _schools(text: str) -> Iterator[Span]:
    """Named schools, without a capitalised word before that is no part of the name, and only
    if some word of it is more than the kind of school ("Primary School" alone is none)."""
    for match in _SCHOOL.finditer(text):
        start, end = match.span()
        if match[0][:1].islower():  # "bishop carrow rc high", not "to bishop carrow rc high"
            start = end - len(_NOT_SCHOOL_START_LOWER.sub("", match[0], count=1))
        elif match[0].startswith(("Ysgol", "Cylch", "Meithrinfa", "Coleg")):
            if all(w.lower() in welsh.INSTITUTIONS_BEFORE for w in match[0].split()):
                continue  # "yr Ysgol Gynradd": the kind of school, not one school
            if match[0].startswith("Ysgol Sul"):
                continue  # a Sunday school is a chapel's, and chapels are not masked
        else:
            if leading := _NOT_SCHOOL_START.match(match[0]):
                start += leading.end()
            if not _SCHOOL_WORDS.sub("", text[start:end]).strip(" &'’-"):
                continue
        yield Span(start, end, Identifier.SCHOOL)


def find(text: str) -> list[Span]:
    """Returns where the identifiers are in (already normalised) text, in order, never overlapping."""
    names = find_names(text)
    detectors = (
        _spans(_URL, text, Identifier.URL),
        _spans(_EMAIL, text, Identifier.EMAIL),
        _spans(_DOMAIN, text, Identifier.URL),
        _handles(text),
        _spans(_NHS, text, Identifier.NHS, accept=_nhs_checksum_ok),
        _spans(_NI, text, Identifier.NI),
        _spans(_NI_CUED, text, Identifier.NI),
        _spans(_NI_SPACED, text, Identifier.NI),
        _ni_in_named_sentence(text),
        _dates_of_birth(text, names),
        _spans(_POSTCODE, text, Identifier.POSTCODE),
        _phones(text),
        _vehicles(text),
        _spans(_CASE, text, Identifier.CASE, accept=_case_reference),
        _schools(text),
        _addresses(text),
        _place_addresses(text),
        (Span(start, end, Identifier.NAME) for start, end in names),
    )
    taken: list[Span] = []
    for detector in detectors:
        for span in detector:
            if not any(span.start < t.end and t.start < span.end for t in taken):
                taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def placeholder(kind: Identifier) -> str:
    """Returns what stands in kept text for an identifier of this kind: "[name]"."""
    return f"[{kind.value}]"


def mask(text: str) -> Masked:
    """Returns the text with each identifier replaced by a placeholder naming its kind."""
    source = normalise(text)
    spans = find(source)
    pieces, last = [], 0
    for span in spans:
        pieces += [source[last : span.start], placeholder(span.kind)]
        last = span.end
    return Masked("".join(pieces) + source[last:], Counter(s.kind for s in spans), source, tuple(spans))
