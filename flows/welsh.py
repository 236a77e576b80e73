"""What the masker needs to know of Welsh: everyday words that are never names, the words that
mutate a name after them and how to undo it ("i Ddafydd" is Dafydd), patronymics ("ap", "ab"),
schools and nurseries named after their kind ("Ysgol Gynradd Bryn Teg"), towns (with their
mutated forms), months, birth words and street words."""

import re
from functools import lru_cache

from flows.messages import WELSH, language

# Common Welsh words, and words of social work written in Welsh, that are never a person's
# name, though many are names or surnames somewhere else (Mae, Roedd, Ar, Ail, Tu, Gael...).
# English names that are also Welsh words (Dan, Tim, Pam) are left out: they stay names.
EVERYDAY = frozenset(
    """
a ac ag â ai am an ar at ati ato atyn y yr 'r i o yn yng ym mewn gan gyda gydag efo hefo wrth
heb dros drwy trwy tua hyd rhwng rhag cyn wedi 'di ers er fel na nad nid ni nhw chi fi ti hi fo
e ef o'n mae maen roedd roedden oedd oeddwn bu bod fod ydy yw ydw dwi dw dydy dyw doedd does dim
ddim oes sydd fydd bydd byddai fyddai gall gallai gael cael cafodd gafodd caiff ges gafodd rhaid
angen eisiau isio moyn gweld weld gwneud wneud dweud deud ddeud dwedodd dywedodd meddai medda
gofyn ofyn mynd myned dod daeth aeth es aethon ddaeth rhoi roi rhoddwyd gyrru anfon anfonais
anfonwyd ffonio ffoniodd ffoniais ffoniwch siarad siaradais sgwrs cysylltu cysylltodd cyfarfod
cyfarfodydd ymweliad ymweld plentyn plant babi baban mam fam mham tad dad nhad nain taid mamgu
tadcu brawd chwaer teulu gofalwr gofalwyr maeth rhiant rhieni ysgol gynradd uwchradd athro
athrawes tîm gweithiwr gweithwyr cymdeithasol rheolwr swyddfa heddlu meddyg nyrs ymwelydd iechyd
fydwraig cynllun cynhadledd asesiad adroddiad ffurflen ffeil copi gopi llythyr llythyrau rhif
rif cyfeiriad cyfeirnod enw enwau manylion diogelu pryder risg achos cyswllt contact lleoliad tŷ
ty adre adref gartref car bws ffôn ffon neges negeseuon ebost e-bost dydd nos bore prynhawn
pnawn heddiw ddoe yfory wythnos mis blwyddyn flwyddyn awr munud amser tro eto hefyd felly ond
neu os pan lle beth be pwy sut faint mwy llai iawn da drwg hen newydd arall eraill pob popeth
rhywun neb dim byd un dau dwy tri tair pedwar pump chwech ail trydydd yno yma fan hyn hynny
hwnnw honno rhain rheini ei eu ein eich fy fy'n 'w 'i iddo iddi iddyn ohono ohoni arno arni
amdano amdani gyda'r efo'r lun llun arian budd budd-daliadau geni ganwyd ganed tystysgrif glaw
gwyliau nadolig pasg gŵyl gwyl capel eglwys canolfan ganolfan ysbyty meddygfa clinig neuadd parc
maes stryd heol ffordd lôn lon ardal sir cyngor awdurdod gwasanaeth gwasanaethau trefniadau
trefniant gwybodaeth wybodaeth penwythnos gwaith swydd staff shifft galwad alwad cyfieithydd
gwiriadau gwiriad penderfyniad gorchymyn llys barnwr cyfreithiwr tu allan mewnol brys rota daro
taro atal aml yna dewis dewi'r llety olwyn dal cais gais sy sy'n clo chlo bara fara hanes tan
gwnaeth gar addas chais eleni galan calan bo nôl
eni ngeni dost tost sâl bachgen fachgen hogyn hogan geneth crwt croten ynghylch annwyl mi fe bob
adran cymorth theatr cymdeithas prosiect elusen rhaglen pwyllgor panel fforwm grŵp grwp comisiynydd
amgueddfa llyfrgell hosbis lloches banc siop gwesty eisteddfod urdd mudiad menter gofal addysg iechyd
cyfiawnder prawf bach fach mawr fawr
llawen lawen addfwyn cadwyn gadwyn bedwen fedwen ywen yswiriant gwladol ward
sai wy hala hales halodd halais mas fas stecs whare chware gwbod gweud wedodd wedes moyn nawr sdim smo crwt
pont bont mhont dîm thîm nhîm gatre pallu llefen cwmpo dwli medde gwylie bois lan draw dy becso ffaelu bant dere
cer shwd tamed hewl heddi ma
rwy rwyf rwyt ro'n nath naeth neith syr fadam madam dyddiad hoff
hei degan teganau
oni bai megis sef ynghyd parthed oblegid eithr serch llais lais grym rym
alla allai allwn allen allet gallaf galla rhai rai
""".split()
)
# Family and everyday nouns that are never a name, however written: "efo Taid", "Plentyn: ...".
NEVER_NAMES = frozenset(
    """
mam nain taid tad dad babi baban mamgu tadcu mam-gu tad-cu dad-cu plentyn plant athrawes anti
syr madam fadam
""".split()
)
# Words never a name in lower case, though each is one capitalised ("gyda Tedi", "Mai", "Di"): "that"
# ("dywedodd y bachgen mai ..."), Northern "di" (wedi), "cas" (nasty), "tedi" (a teddy bear), "tegan"
# (a toy), "pam" (why), "hedd" (peace).
LOWER_CASE_WORDS = frozenset({"mai", "taw", "di", "cas", "tedi", "tegan", "pam", "hedd"})
# Words before a capitalised word that make it no person: a day's, a saint's or a storm's name,
# a county ("Sir Gâr"), a noun after the article ("dros yr Haf"), or "Allan" of "Tu Allan" (outside).
NOT_AFTER = frozenset({"gŵyl", "gwyl", "sant", "santes", "dydd", "sir", "y", "yr", "storm", "nos", "calan", "tu"})
# A team's or a bridge's name, not a person's: "Tîm Gwyn", "Pont Steffan", "Port Talbot".
NAMED_AFTER = frozenset({"tîm", "dîm", "thîm", "nhîm", "pont", "bont", "mhont", "port", "mhort"})
NOT_AFTER |= NAMED_AFTER

# Words after which a name takes a soft, nasal or aspirate mutation, or is simply expected ("fy Nhomos").
MUTATING = frozenset(
    """
i â a ag gyda gydag efo hefo wrth gan at am o dan dros drwy trwy heb hyd ei ap ab ac nôl annwyl fy
""".split()
)
PATRONYMIC = frozenset({"ap", "ab"})
# Verbs of meeting someone, after which (or after "efo", "gyda", "â" after them) a name is
# expected: "gweld ellis", "siarad efo rhys".
MET = frozenset({"gweld", "weld", "ffonio", "ffonies", "siarad", "cwrdd", "gwrdd", "cyfarfod", "holi", "ymweld"})
# Verbs of seeing or hearing someone do something: "clywed Nevaeh yn crio", "gweld Kelvaro'n chwarae".
PERCEIVING = frozenset({"gweld", "weld", "clywed", "glywed", "chlywed", "gwylio", "wylio", "gwelais", "clywais"})
# Words before a word that make it a person's name, as "called" or "mum" do in English: "gwelwyd
# rhys", "y babi Nova", "mam Tyler".
CUES = frozenset(
    """
gwelwyd welwyd enw babi baban mab fab merch ferch brawd frawd chwaer mam fam tad dad llysdad
llysfam ffrind crwt crwtyn croten hogyn hogan bachgen fachgen geneth nain taid mam-gu tad-cu dad-cu mamgu
tadcu modryb ewythr anti yncl wncwl bopa boba bodo rhieni rieni rhiant riant llysenw
""".split()
)
# "Bach" and the like between a cue and a name: "hogyn bach Gwil", "merch fach Nia", "brawd mawr Osian".
CUE_ADJECTIVES = frozenset("bach fach bychan fychan mawr fawr hyna hynaf ieuenga ieuengaf hŷn iau newydd".split())
# Words for being called, after which (and a quote) comes a name or a nickname: 'ei alw'n "Smiffy"'.
CALLED = frozenset({"alw'n", "galw'n", "alw’n", "galw’n", "llysenw", "nickname", "aka"})
# Pictures of someone, after which and "o"/"of" a capitalised word is a person: "Llun o Jaxon".
IMAGES = frozenset("llun lun lluniau luniau fideo ffilm photo photos pic pics video selfie screenshot".split())
# Records a person has, after which (and "newydd", new) a name is whose they are: "cyfeiriad newydd Deri",
# "dob leo", "rhif nhs leon".
RECORDS = frozenset("cyfeiriad gyfeiriad nghyfeiriad rhif rif nrhif dob dg nhs yg ffôn ffon ebost e-bost".split())
# Auxiliaries of the North and South before a clause's subject: "nath tyler ddim", "wnaeth Ela ddim".
AUXILIARIES = frozenset({"nath", "naeth", "wnaeth", "neith", "wneith", "geith", "gaeth", "ddaru"})
# Verbs of going, after which "i" (to) comes before a place; a person is gone "at": "mynd i Glyn Ceiriog".
GOING = frozenset(
    """
mynd fynd myned aeth aethon aethant aethom ddaeth daeth dod ddod symud symudodd symudon teithio deithio
cerdded gerdded rhedeg redeg dianc ddianc dengyd
""".split()
)
PRONOUNS = frozenset({"i", "ni", "nhw", "hi", "fo", "fe", "e", "o", "ti", "chi"})  # "aethon ni i ..."
# "Perhaps" in the North, a name elsewhere: "Ella bod hi'n iawn" (maybe she is), but "Ella wedi".
PERHAPS = frozenset({"ella", "falle", "efallai", "hwyrach"})
PERHAPS_AFTER = frozenset({"bod", "fod", "mai", "taw", "na", "nad", "ddim"})
# Possessives, after which a lower-case word is a thing of theirs: "ar ei elin chwith" (elbow).
POSSESSIVES = frozenset({"ei", "eu", "fy", "dy", "ein", "eich", "'i", "'w", "’i", "’w"})
# Colours, which a word-name (Gwyn, Du) is when listed with another: "Gwyn a du oedd y car".
COLOURS = frozenset(
    "gwyn wen gwen du ddu coch goch glas las gwyrdd werdd melyn felen llwyd lwyd oren pinc porffor brown aur".split()
)
# Verbs after which the next word is their subject or object, mostly someone: "meddai Siân",
# "ganwyd Ffredi", and any inflected past ("dywedodd Ianto", "ffoniais Gethin"), see names_after.
SUBJECT_VERBS = frozenset({"meddai", "medd", "ebe", "ganwyd", "ganed", "anwyd", "aned", "gwelwyd"})
# Prepositions taken by people more than by places or things ("wrth Quilla", "at Ilmaro", "â
# Doruna"), and verbs of going whose subject follows ("Aeth Doruna ar goll"): an unknown
# capitalised word after them is someone. "efo", "gyda", "mae" and "roedd" are left out: an
# English word often follows them in Welsh notes ("efo Housing", "roedd Covid", "mae Facebook").
PERSON_PREPOSITIONS = frozenset({"â", "ag", "at", "wrth"})
SUBJECT_OF = frozenset({"aeth", "daeth", "ddaeth", "wnaeth"})
# Forms of "bod" (to be) before a clause's subject, and the words after it: "mae rhys wedi", "bod kyle yn".
BE = frozenset({"mae", "ma", "roedd", "oedd", "o'dd", "bod", "fod"})
BE_AFTER = frozenset({"wedi", "di", "'di", "yn", "ddim", "heb"})
# Teams and places of work after "o'r": "Doruna o'r tîm cyswllt", "Siân o'r ysgol".
TEAMS = frozenset(
    {"tîm", "tim", "ysgol", "heddlu", "feddygfa", "swyddfa", "ganolfan", "cyngor", "ward", "uned", "ysbyty"}
)
# "a'r", "a'i" and the like before a family word show the word before them was a person: "Dôn a'r
# babi", "Ceri a'i phartner", "Osian efo'i frawd".
AND_THEIR = frozenset({"a'r", "a'i", "a'u", "a’r", "a’i", "a’u", "efo'i", "gyda'i", "efo’i", "gyda’i"})
FAMILY = frozenset(
    """
babi fabi baban plant blant phlant plentyn mab fab merch ferch brawd frawd chwaer chwiorydd partner bartner
phartner gŵr ŵr gwraig wraig cariad gariad chariad nain taid mam fam tad dad thad teulu deulu efeilliaid
ffrind ffrindiau llysdad llysfam mam-gu tad-cu mamgu tadcu ewythr modryb yncl anti cefnder cyfnither nai nith
ŵyr wyres
""".split()
)
# Animals and toys, as mutation writes them, whose name follows "o'r enw": "ci o'r enw Mot".
PETS = frozenset(
    """
ci gi chi cath gath chath ceffyl geffyl cwningen gwningen bochdew fochdew pysgodyn bysgodyn aderyn parot barot
tedi dedi doli ddoli tegan degan neidr mochyn
""".split()
)
# Well-known characters of Welsh children's television and books, and Father Christmas: a child
# talks of them, and none is someone to mask ("sôn am Sam Tân a Sali Mali", "Siôn Corn wedi dod").
CHARACTERS = re.compile(
    r"\b(?:Sali Mali|Sam T[âa]n|Si[ôo]n Corn|Si[ôo]n Blewyn Coch|SuperTed|Superted|Peppa Pig|Tomos y Tanc"
    r"|Deian a Loli|Jac y Jwc|Rala Rwdins|Ben Dant|Wil Cwac Cwac|Tecwyn y Tractor|Bob y Bildar|Dona Direidi"
    r"|Pat Postmon|Norman Preis)\b"
)
# Health boards named after people, which Welsh social-care notes name often: "llythyr gan Hywel Dda".
NAMED_BODIES = re.compile(r"\b(?:Hywel Dda|Betsi Cadwaladr|Aneurin Bevan)\b")
# Words before a made-up person's name, in a book or on television: "y cymeriad Dani", "the character Pip".
FICTION = frozenset({"cymeriad", "gymeriad", "nghymeriad", "chymeriad", "character"})
# What someone is to a child, after a name and "y": "Bryn y llystad", "Gwen y gweithiwr cymdeithasol".
ROLES = frozenset(
    """
gweithiwr weithiwr athro athrawes rheolwr gofalwr ofalwr nyrs meddyg fydwraig ymwelydd swyddog
cynghorydd cyfieithydd bachgen hogyn hogan llystad llysfam
""".split()
)
# Capitalised, before a house's name (never a person's): "Tŷ Gwyn", "i Dŷ Gwyn", "Plas Newydd".
HOUSES = frozenset({"Tŷ", "Dŷ", "Nhŷ", "Thŷ", "Plas", "Blas"})
# Words of job titles, as mutation may write them, never a name when capitalised: "Rheolwr Tîm",
# "Swyddog Adolygu Annibynnol", "Uwch Ymarferydd", "Person Diogelu Dynodedig", "(Pediatregydd)".
JOB_TITLES = frozenset(
    """
rheolwr reolwr rheolwraig swyddog swyddogion gweithiwr weithiwr ymarferydd cadeirydd gadeirydd cydlynydd
gydlynydd pennaeth bennaeth cynorthwyydd gynorthwyydd seicolegydd pediatregydd ymgynghorydd nyrs uwch prif
dirprwy ddirprwy annibynnol dynodedig cymdeithasol arweinydd therapydd seiciatrydd bydwraig fydwraig ymwelydd
meddyg feddyg athro athrawes cyfreithiwr gyfreithiwr gwarcheidwad cyfarwyddwr gyfarwyddwr eiriolwr
cyfieithydd gweinyddwr derbynnydd cynghorydd gynghorydd ymchwilydd person pediatrydd paediatregydd ymgynghorol
clinigol arweiniol allweddol penodedig enwebedig aelod
""".split()
)
# Words after a name at the start of a Welsh sentence that show it is someone: "Tyler wedi
# gadael", "Ibrahim ganwyd...", "Jessica ac Oliver".
FOLLOWERS = frozenset({"wedi", "ddim", "heb", "ganwyd", "ganed", "ac", "meddai", "medd"})
# Words after a lower-case name starting a hurried Welsh note: "nia ar leave", "cai efo nain", "jac isio mynd".
LOWER_FOLLOWERS = FOLLOWERS | {"ar", "efo", "hefo", "gyda", "di", "'di", "isio", "eisiau", "moyn", "yn", "oedd"}
# Lower-case words after a sentence's first word that a person may have: a name that is also a
# word ("Eira", "Awel") is a name there only before one of them ("Eira wedi", "Awel yn 6 oed"),
# not before an adjective ("Eira trwm", "Awel gref").
PERSON_AFTER = FOLLOWERS | {
    "yn",
    "a",
    "oedd",
    "sy",
    "sydd",
    "yw",
    "ydy",
    "ydi",
    "efo",
    "gyda",
    "hefyd",
    "fod",
    "bod",
    "dim",
}
PERSON_AFTER |= {"di", "'di", "wedi'i", "wedi'u", "sy'n", "wnaeth", "ddaeth", "aeth", "gafodd", "fu", "fydd", "meddai"}
# Fields of work that complete a job title or a body's name, though names elsewhere: "Swyddog Tai" (housing).
FIELDS = frozenset({"tai", "ieuenctid", "lles", "addysg", "iechyd", "oedolion", "teuluoedd", "cymunedol"})
# Endings of Welsh nouns (plurals, abstracts) no name of eight letters or more has: "Chanllawiau", "Rheoliad",
# "Gweithdrefnau" (but "Rousseau" is someone).
NOUN_ENDINGS = ("au", "iad", "iaeth", "rwydd")
# Words after which capitalised words are a document's or a rule's title, not a person: "yn unol â Chanllawiau ...".
IN_ACCORDANCE = frozenset({"unol"})
# Words that cite a regulation or a section before its number, never a name: "asesiad Reg 26".
# And a part, a stage, a chapter or a clause of a document or a procedure: "Cod Ymarfer ar Ran 2", "Cwyn Cam 1".
BEFORE_NUMBERS = frozenset(
    """
reg regs rheoliad adran para paragraff sec rhan ran cam gam pennod bennod cymal gymal atodiad erthygl
tudalen dudalen lefel haen
""".split()
)

# A mutated first letter and what it may have been: Ddafydd, Fethan (Bethan) or Fererid
# (Mererid), Chatrin, Thomos, Phedr, Lŷr (Llŷr), Rodri (Rhodri), Gatrin (Catrin), Domos
# (Tomos), Bedr (Pedr), Wenllïan (Gwenllïan), Nghatrin, Nhomos, Mhedr, Ngwen, Mangor.
_MUTATIONS = (
    ("Ngh", "C"),
    ("Nh", "T"),
    ("Mh", "P"),
    ("Ng", "G"),
    ("Dd", "D"),
    ("Ch", "C"),
    ("Th", "T"),
    ("Ph", "P"),
    ("F", "B"),
    ("F", "M"),
    ("L", "Ll"),
    ("R", "Rh"),
    ("G", "C"),
    ("D", "T"),
    ("B", "P"),
    ("M", "B"),
    ("N", "D"),
)


def unmutated(word: str) -> list[str]:
    """Returns what a capitalised word may have been before a mutation, most likely first."""
    candidates = [base + word[len(mutated) :] for mutated, base in _MUTATIONS if word.startswith(mutated)]
    if word[:1] in "AEIOUWYÂÊÎÔÛŴŶ" or word[:1] in "lrLR":
        candidates.append("G" + word[:1].lower() + word[1:])  # the lost G: Wenllïan, Lenys, Aled?
    return candidates


def mutated_forms(words: frozenset[str]) -> frozenset[str]:
    """Returns the lower-case words as each mutation may write them: "caerdydd" as "gaerdydd",
    "nghaerdydd", "chaerdydd"; "capel" as "gapel", "nghapel"."""
    return frozenset(
        mutated.lower() + word[len(base) :]
        for word in words
        for mutated, base in _MUTATIONS
        if word.startswith(base.lower())
    )


# Kinds of land before their name: "Llyn Tegid", "Afon Teifi", "Mynydd Du", "Ynys Môn" (not Llyn's soft
# "Lyn", a name).
LAND = frozenset("llyn afon mynydd fynydd ynys bae penrhyn coedwig goedwig".split())
# Kinds of place or body that come before their name, and as mutation writes them: "Ysgol
# Gynradd Bryn Teg", "Cylch Meithrin Pen y Bryn", "yng Nghapel Salem", "i Heddlu Dyfed-Powys",
# "Cyngor Gwynedd", "o Fwrdd Iechyd ...", "at Brosiect Awen", "yr Adran Dai" (Tai, housing, softened
# after a feminine noun: not Dai), "ym Mharc Glyndŵr", "Bro Morgannwg".
_INSTITUTIONS = frozenset(
    """
ysgol gynradd uwchradd gyfun feithrin meithrin meithrinfa cylch coleg canolfan ysbyty meddygfa
capel eglwys neuadd clinig uned cartref santes sant heddlu cyngor bwrdd prifysgol llywodraeth cymdeithas
prosiect elusen mudiad menter
adran gwasanaethau parc bro cwm castell traeth fferm ystad stad gorsaf
""".split()
)
INSTITUTIONS_BEFORE = _INSTITUTIONS | mutated_forms(_INSTITUTIONS) | LAND
# The little words inside such a name: "Pen y Bryn", "Bro Taf", "Cwm Aur".
NAME_JOINERS = frozenset({"y", "yr", "'r", "ar", "a"})

# Towns, cities and regions of Wales named by one word (a word here is a place, not a person), and their
# mutated forms; towns of two words are left to the masker's address patterns.
TOWNS = frozenset(
    """
aberdar aberdâr abergwaun aberhonddu aberpennar abertawe aberteifi aberystwyth amlwch arberth
bala bangor caerdydd caerffili caerfyrddin caergybi caerllion caernarfon cas-gwent casnewydd
conwy crughywel cwmbran cwmbrân dinbych dinbych-y-pysgod dolgellau fflint glynebwy hwlffordd
llambed llandrindod llandudno llanelli llanfair llanfair-ym-muallt llangefni llanidloes
machynlleth merthyr penarth pontypridd pontypwl pontypŵl porthmadog prestatyn pwllheli rhondda
rhuthun rhyl tredegar corwen treffynnon trefynwy tyddewi wrecsam eryri ceredigion penfro morgannwg meirionnydd cymru
llundain lerpwl manceinion bryste amwythig henffordd caerloyw caer rhydychen caergrawnt
""".split()
)
# Towns as mutation writes them: "i Gaerdydd", "yng Nghaerdydd", "ym Mangor"; a mutated form
# that is a name somewhere (Mae, from Bae) is not kept.
TOWNS_MUTATED = mutated_forms(TOWNS)

MONTHS = (
    r"ionawr|chwefror|mawrth|fawrth|ebrill|mai|fai|mehefin|fehefin|gorffennaf|orffennaf|awst|medi"
    r"|fedi|hydref|tachwedd|dachwedd|rhagfyr|ragfyr"  # and as "o" softens them: o Fawrth, o Ragfyr
)
NUMBERED_STREETS = r"Llys|Parc"  # street words only after a house number: "Llys Teulu" is the family court
# Words of the land that name many Welsh streets and closes, read as an address only after a
# house number in Welsh text: "15 Ael y Bryn", "30 Dôl Afon", "10 Cae Gwyn", "8 pen y maes".
PLACE_NOUNS = (
    r"Ael|Bron|Bryn|Cae|Dôl|Dol|Erw|Glan|Gwaun|Waun|Llys|Maes|Nant|Pant|Parc|Pen|Rhes|Teras|Tir|Tŷ|Ty|Cwm|Coed"
    r"|Bro|Tan|Gallt|Ffridd|Gwel|Min|Llain|Tyddyn|Tŵr|Twr"
)
PLACE_NOUN_WORDS = frozenset(PLACE_NOUNS.split("|"))
# Adjectives that end many a house's or farm's name: "Pant Glas", "Bryn Teg", "Cae Du", "Maes Isaf".
PLACE_ADJECTIVES = frozenset(
    "glas las gwyn wen du ddu coch goch teg deg isaf uchaf hir melyn felen gwyrdd werdd".split()
)
MONTH_NAMES = frozenset(MONTHS.split("|"))
# Months shortened, as hurried notes write them in a date: "22 Meh 2019", "3 Rhag 2020".
MONTHS_SHORT = r"ion|chwef|maw|ebr|meh|gorff|aws|hyd|tach|rhag"
# Days written as ordinal words: "y pedwerydd ar hugain o Fehefin", "yr unfed ar ddeg o Fai".
ORDINALS = (
    r"(?:cyntaf|unfed|ail|trydydd|pedwerydd|pumed|chweched|seithfed|wythfed|nawfed|degfed|deuddegfed|pymthegfed"
    r"|deunawfed|ugeinfed)(?: ar (?:ddeg|bymtheg|hugain))?(?: ar hugain)?"
)
# "Geni" and "pen-blwydd" as mutation writes them too: "cafodd ei eni", "ei ben-blwydd", "ei phen-blwydd";
# "yr" after "ganwyd ar" is left to the date when an ordinal follows ("a anwyd ar yr ail ar hugain o Fai").
BIRTH_WORDS = (
    r"(?:ganwyd|ganed|aned|anwyd)(?: ar)?(?: yr)??|dyddiad geni|geni|eni|ngeni|d\.\s?g\.?|dg|g\.(?=\s*\d)"
    r"|(?:p|b|ph|mh)en-?blwydd"
)
# Words between a birth word and the date: "ganwyd ym mis Awst 2014", "ei ben-blwydd yw ...".
BIRTH_FILLERS = r"ym mis|ym|yn|yw|ydy|ydi|oedd"
# Words after a date of birth that bring in another record of it: "DG: 5.9.2012, mae'r llythyr
# yn deud 9.5.2012", "wedi'i roi fel 12.8.19" (given as).
RECORD_WORDS = r"ond|deud|dweud|dangos|nodi|cofnod|cofnodi|cofnodwyd|meddai|cywir|anghywir|iawn|fel|roi|rhoi"
# "Tystysgrif geni" (birth certificate) as mutation writes it: "yn ôl y dystysgrif geni".
BIRTH_CERTIFICATE = r"(?:t|d|nh|th)ystysgrif geni"
# Words for a National Insurance number: "rhif YG y tad", "rhif yswiriant gwladol".
NI_WORDS = r"(?:rhif\s+)?YG|yswiriant gwladol"
# The article or a possessive and one word between such a word and the number, with a colon or a
# comma after them as a form or a sentence has it: "y tad", "ei mam", "y rhiant: ", "y tad, ".
NI_OWNER = r"(?:(?:y|yr|ei|eu)\s+[\w'’]+\s*[:,]?\s+)?"
STREETS = (
    r"Heol|Ffordd|Stryd|Lôn|Lon|Rhodfa|Cilgant|Teras|Clos|Maes|Rhes|Sgwâr|Sgwar|Cwrt|Llwyn|Ystad|Allt|Rhiw"
    r"|Fferm|Bwthyn|Safle"
)
# Street words that name one dwelling, an address by itself ("Bwthyn Pen-y-Bryn, Llanrug"); the
# others name a street many live on, an address only with a house's number or name before it.
DWELLINGS = r"Fferm|Bwthyn|Tyddyn"  # and a smallholding: "Tyddyn Eithin, Llanrhystud"
# Offices and bodies, whose name before a street is no house's: "Gwasanaethau Plant, Ffordd y Frenhines".
# "Llys" is an office only as a court ("Llys y Goron", "Llys Ynadon"); "Llys Meirion" is a house's name.
OFFICES = (
    r"Swyddfa|Swyddfeydd|Gwasanaethau|Gwasanaeth|Cyngor|Adran|Canolfan|Tîm|Uned|Heddlu|Ysbyty|Meddygfa"
    r"|Llys(?=\s+(?:y|yr|Ynadon|Teulu|Sirol|Goron|Apêl|Barn|Troseddol)\b)"
)
# The same street words as mutation writes them after "i", "yng", "ym": "ym Mwthyn y Ddôl", "yng
# Nghilgant y Dderwen", "i Faes y Llan".
STREETS_MUTATED = "|".join(
    sorted(w.capitalize() for w in mutated_forms(frozenset(w.lower() for w in STREETS.split("|"))))
)

# A capitalised word after a street word names the street, not someone: "ar Stryd Tudur".
NAMED_AFTER |= frozenset(word.lower() for word in STREETS.split("|"))
NOT_AFTER |= NAMED_AFTER

# Words common in Welsh and rare in English: text with two of them is read as Welsh, and only
# then do the Welsh rules above apply (so "Beth", "Mae" or "Mrs Plant" in English stay names).
_WELSH_MARKERS = frozenset(
    """
yn wedi mae roedd oedd ddim efo gyda bod nad yr i'r o'r a'r ond nhw dim heb gan dros rhaid ydy
hefyd felly neu wrth drwy eich sydd fydd bydd cael gael gwneud dweud deud ffonio plant plentyn
tîm ei eu ac ar ôl yno ers fod dwi mewn hi'n o'n ni'n y yng ym wedi'i wedi'u i'w rhif newydd hen
ffurflen cyfeiriad teulu gofalwr gofalwyr heno neithiwr ddoe heddiw lleoliad efo'r gyda'r ffôn ffon
drws neb ateb diweddaru gyfeiriad cyswllt ymweliad sylwi dau ddau dair tri aeth daeth wnaeth cafodd
gafodd ysgol gynradd uwchradd gyfun feithrin dydd gŵyl drwg babi fflat llythyr wythnos pnawn hwn hon hyn
yma iddo iddi dyddiad geni siarad gweld weld ro'n fam nain taid bob
enw cyfeirnod cyfeirnodau presennol bresennol cywir gywir cyfarfod rhiant brawd chwaer achos dyma
o'dd wedd gweud wedodd gwbod moyn nawr sdim smo sai wy crwt gatre llofnod gwasanaethau pennaeth swyddog rheolwr
gweithiwr cymdeithasol ymarferydd cadeirydd dynodedig annibynnol
gallu cofnodion hoff meddai dywedodd fyddai byddai annwyl fadam rwy rwyf dwi'n ti'n mynychu cynhadledd gynhadledd
ysgrifennu cadarnhau gadarnhau hogyn hogan nath dg ddeud meddyg meddygfa
pob cyn cais cynllun dal budd cu gu gilydd cofio stafell ystafell rhoi roi lawr wedyn nôl
""".split()
)
_WELSH_ENDINGS = ("wyd", "iad", "iaeth", "odd", "asom", "ais", "ydd", "wch", "iadau")  # anfonwyd, asesiad, ffoniwch
_WORD = re.compile(r"[\w'’]+")
_WELSH_ORDINAL = re.compile(r"\d{1,2}(?:af|il|ydd|edd|ed|fed|eg|ain)")
_ENCLITIC = re.compile(r"(?<=\w\w)['’](?:r|n|i|u|w)$")


def inflected_verb(word: str) -> bool:
    """Says whether a lower-case word is a Welsh verb in the past: "dywedodd", "ffoniais"."""
    return len(word) > 5 and word.endswith(("odd", "ais")) and word not in _NOT_PAST


_NOT_PAST = frozenset({"adrodd", "rhodd", "ymgais", "anrhodd"})  # to report, a gift, an attempt


def name_shaped(word: str) -> bool:
    """Says whether a capitalised word ends as many Welsh names do, in -wen or -wyn (Lynwen,
    Glanwyn), and is long enough not to be a town's name (Tywyn)."""
    return len(word) >= 6 and word.lower().endswith(("wen", "wyn")) and word.lower() not in TOWNS_MUTATED


def names_after(word: str) -> bool:
    """Says whether a (lower-case) word names a person after it: a cue ("mam", "babi") or a
    verb whose subject or object follows ("meddai", "dywedodd", "ffoniais", "ganwyd")."""
    return word in CUES or word in SUBJECT_VERBS or inflected_verb(word)


@lru_cache(maxsize=64)  # asked of the same text by the names and the address rules
def looks_welsh(text: str) -> bool:
    """Says whether text reads as Welsh: two or more words common in Welsh and rare in English,
    or with a Welsh ending."""
    words = [w.strip("'") for w in _WORD.findall(text.lower().replace("’", "'"))]  # quoted: "'dwi"
    words += [_ENCLITIC.sub("", w) for w in words]  # "mae'r" is "mae"
    found = {w for w in words if w in _WELSH_MARKERS or (len(w) > 5 and w.endswith(_WELSH_ENDINGS))}
    found |= {w for w in words if w[:1].isdigit() and _WELSH_ORDINAL.fullmatch(w)}  # "Mai 3ydd", "y 12fed"
    return len(found) >= 2


def in_welsh(text: str) -> bool:
    """Says whether the Welsh rules apply: the person chose Cymraeg, or the text reads as Welsh."""
    return language() == WELSH or looks_welsh(text)
