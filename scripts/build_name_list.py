"""Builds flows/data/names.tsv, the names gazetteer the masker uses.

Run once by hand when the list should change (it needs the `names` extra:
`pip install -e ".[names]"`; loading names-dataset takes about 20 s and 2 GB): the bot itself
reads only the small file this writes, so neither library is needed at run time.

Each line is a lower-case name; whether it is seen as a first name, a last name or both; how
common it is as an ordinary English word (wordfreq's Zipf scale: 6 is "will", 3 is rare), which
tells the masker how much context it needs before it masks the word; and whether it is common in
the UK or Ireland ("home"), where an ordinary-looking word is more likely to be a name.
"""

from pathlib import Path

from names_dataset import NameDataset
from wordfreq import zipf_frequency

OUT = Path(__file__).resolve().parent.parent / "flows" / "data" / "names.tsv"
# Where the families and staff of English, Welsh and Scottish services come from, broadly.
COUNTRIES = [
    "GB",
    "IE",
    "PL",
    "RO",
    "LT",
    "LV",
    "BG",
    "SK",
    "CZ",
    "HU",
    "PT",
    "ES",
    "IT",
    "FR",
    "DE",
    "AL",
    "TR",
    "IN",
    "PK",
    "BD",
    "LK",
    "AF",
    "IR",
    "IQ",
    "SY",
    "EG",
    "SA",
    "MA",
    "DZ",
    "NG",
    "GH",
    "KE",
    "ZA",
    "ET",
    "SD",
    "JM",
    "CN",
    "HK",
    "MY",
    "PH",
    "US",
]
HOME_FIRST, HOME_LAST, ABROAD = 2500, 4000, 400
# Words of the trade that some country's list holds as a name; never treat them as names.
NOT_NAMES = {
    "mum",
    "dad",
    "nan",
    "gran",
    "police",
    "school",
    "court",
    "health",
    "social",
    "worker",
    "team",
    "child",
    "baby",
    "family",
    "home",
    "visit",
    "office",
    "duty",
    "manager",
    "nurse",
    "doctor",
    "hospital",
    "council",
    "service",
    "care",
    "carer",
    "foster",
    "case",
    "report",
    "referral",
}


def _top(dataset: NameDataset, country: str, n: int, first: bool) -> list[str]:
    found = dataset.get_top_names(n=n, country_alpha2=country, use_first_names=first)
    groups = found.get(country, {})
    names = groups if isinstance(groups, list) else [name for group in groups.values() for name in group]
    return [name.lower() for name in names]


def main() -> None:
    dataset = NameDataset()
    kinds: dict[str, set[str]] = {}
    home_names: set[str] = set()
    for country in COUNTRIES:
        home = country == "GB"
        for first, n, kind in (
            (True, HOME_FIRST if home else ABROAD, "first"),
            (False, HOME_LAST if home else ABROAD, "last"),
        ):
            for name in _top(dataset, country, n, first):
                if name.isalpha() or "-" in name or "'" in name:
                    kinds.setdefault(name, set()).add(kind)
                    if country in ("GB", "IE"):
                        home_names.add(name)
    lines = []
    for name in sorted(kinds):
        if len(name) < 2 or name in NOT_NAMES:
            continue
        kind = "both" if len(kinds[name]) == 2 else next(iter(kinds[name]))
        home = "home" if name in home_names else "abroad"
        lines.append(f"{name}\t{kind}\t{zipf_frequency(name, 'en'):.1f}\t{home}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        "# name\tkind\tzipf as an English word\tcommon in the UK or Ireland; "
        "built by scripts/build_name_list.py\n" + "\n".join(lines) + "\n"
    )
    print(f"wrote {len(lines)} names to {OUT}")


if __name__ == "__main__":
    main()
