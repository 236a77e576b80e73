"""The masker's figures on the labelled sets in eval/, held to the privacy issue's targets."""

import importlib.util
from pathlib import Path

import pytest

from flows.masking import Identifier

EVAL = Path(__file__).resolve().parent.parent / "eval"
_spec = importlib.util.spec_from_file_location("evaluate_masking", EVAL / "evaluate_masking.py")
evaluate_masking = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(evaluate_masking)

STRUCTURED = (Identifier.PHONE, Identifier.EMAIL, Identifier.POSTCODE, Identifier.NHS, Identifier.NI, Identifier.DOB)
# Sets the masker does not yet meet, and its figures on them: each fails this test openly
# (strict: the day it passes, the mark must go). The first Welsh set (identifiers-cy) passes; it
# was first measured, before any Welsh work, at names 0.61 / 0.57, structured 0.78; the Welsh
# held-out set (first measured names 0.80 / 0.86, structured 0.97) and the Welsh third set
# (0.95 / 0.89, 0.92) pass since issue 14's date of birth rules. The sixth Welsh set (first
# measured names 0.926, structured 0.927, precision 0.980) passes since rules written after seeing
# its misses, so its pass says little: only a new blind set measures them (docs/languages.md).
# The seventh Welsh set (first measured, blind: names 0.936 / 0.958, dates of birth 35 of 37,
# addresses 29 of 31, structured 0.981, precision 0.983) passes since issue 19's rules written
# after seeing its misses: it has been tuned on, and its pass says as little.
# The ninth Welsh set (first measured, blind, at 07b62f8: names 0.953 / 0.852, structured 0.984,
# case numbers 14 of 16, precision 0.901, 9 of 95 identifier-free sentences masked) passes since
# rules written after seeing its wrong masks and misses (job titles, South Walian words, form
# labels, initials): it has been tuned on too; the tenth set is the honest judge of them.
# The tenth Welsh set (first measured, blind, at 07b62f8: names 0.956 / 0.784, structured 0.970,
# precision 0.844, 10 of 76 identifier-free sentences masked; then, still unseen, after the ninth
# set's rules: names 0.978 / 0.900, structured 0.980 with NI numbers 2 of 4, precision 0.931, 7 of
# 76 masked) passes since rules written after seeing its wrong masks and misses (colloquial and
# formal words, places, NI numbers after whose they are, pets' names): it has been tuned on too;
# the eleventh set is the honest judge of them.
# The eleventh Welsh set (first measured, blind, on main after the tenth set's rules: names 0.968 /
# 0.917, structured 1.000, precision 0.950, 9 of 79 identifier-free sentences masked) passes since
# rules written after seeing its wrong masks and misses (children's characters, "Annwyl" and
# grandparents before a name, lone initials, "yn" before a place, a titled name before an
# address): it has been tuned on too. Its author left named schools unmarked, which nearmiss
# masks on purpose (issue 14), so its 3 school masks count as wrong. The twelfth set is the honest judge of these rules.
# The twelfth Welsh set (first measured, blind, after the eleventh set's rules: names 0.952 / 0.932,
# structured 0.970 with NI numbers 5 of 8, dates of birth 21 of 22, addresses 36 of 37, precision
# 0.954, 11 of 96 identifier-free sentences masked) passes since rules written after seeing its
# misses and wrong masks (NI numbers by layout and by a cue earlier in the sentence, closing quotes,
# the subject of "bod", Welsh respellings, places after "ym"/"yng", house names, bare streets): it
# has been tuned on too; the thirteenth set is the honest judge.
# The thirteenth Welsh set (first measured, blind, after the twelfth set's rules: names 0.913 / 0.928,
# structured 0.988 with dates of birth 24 of 26, precision 0.957, 13 of 133 identifier-free sentences
# masked) passes since rules written after seeing its misses and wrong masks (lower-case names after
# auxiliaries, in lists, after records and pictures of someone; Welsh respellings; possessives, months,
# colours, land and titles left alone): it has been tuned on too; the fourteenth set is the honest judge.
# The fourteenth Welsh set, in a formal register (first measured, blind, after the thirteenth set's rules:
# names 0.980 / 0.928, structured 0.939 with dates of birth 17 of 22, case numbers 11 of 12, addresses 19
# of 21, precision 0.957, 10 of 101 identifier-free sentences masked) passes since rules written after
# seeing its misses and wrong masks (ordinal days with their article, a household list's dates, a
# reference's digits, house names with "Llys", documents after "yn unol â", Welsh noun endings, parts and
# stages before a number, car makers): it has been tuned on too; a later blind set is the honest judge.
# The fifteenth Welsh set (271 answers to the bot's own questions, as typed on a phone) has never been
# tuned on: nobody has read its misses. First measured, blind, after the twelfth set's rules: names
# 0.978 / 0.938, structured 1.000, precision 0.965; after the fourteenth's: 0.986 / 0.951, 1.000, 0.973.
# The sixteenth (252 answers and pasted notes, registers mixed), never tuned on either: first measured,
# blind, after the fourteenth set's rules: names 0.955 / 0.924, structured 0.993, precision 0.960.
BELOW_TARGET = {
    "identifiers-cy-fifth.txt": "Welsh, a fifth set written blind (215 sentences), tuned on for two date rules "
    "and, in issue 19, rules from every set's wrong masks: dates of birth 34 of 38, addresses 28 of 32, structured "
    "0.945, names recall 0.986 precision 0.967, precision overall 0.984 (issue 19)",
    "identifiers-cy-fourth.txt": "Welsh, a fourth set written blind (231 sentences): dates of birth 20 of 22, "
    "structured 0.984, names 0.962 / 1.000, precision 1.000; first measured, before tuning on it, names 0.95 / 0.92, "
    "structured 0.93, precision 0.94 (issue 19)",
}
SETS = [
    pytest.param(s, id=s.name, marks=pytest.mark.xfail(strict=True, reason=BELOW_TARGET[s.name]))
    if s.name in BELOW_TARGET
    else pytest.param(s, id=s.name)
    for s in sorted(EVAL.glob("identifiers*.txt"))
]


@pytest.mark.parametrize("labelled_set", SETS)
def test_recall_and_precision_meet_the_targets(labelled_set):
    counts = evaluate_masking.evaluate(evaluate_masking.read_set(labelled_set))

    def recall(kind):
        return counts[kind]["found"] / counts[kind]["labelled"]

    for kind in STRUCTURED:
        assert recall(kind) >= 0.98, kind
    assert recall(Identifier.NAME) >= 0.9
    masked = sum(c["masked"] for c in counts.values())
    assert sum(c["right"] for c in counts.values()) / masked >= 0.9
    assert counts[Identifier.NAME]["right"] / counts[Identifier.NAME]["masked"] >= 0.9


# Issue 14's targets, held on the set written blind for it (first measured, before tuning on it:
# names 0.89, structured 0.92, schools 0.87, precision 0.96, 0.075 of identifier-free sentences
# touched; see docs/masking.md).
ISSUE_14_SETS = [EVAL / "identifiers-third.txt"]


@pytest.mark.parametrize("labelled_set", ISSUE_14_SETS, ids=lambda p: p.name)
def test_issue_14_targets(labelled_set):
    counts = evaluate_masking.evaluate(evaluate_masking.read_set(labelled_set))

    def recall(kind):
        return counts[kind]["found"] / counts[kind]["labelled"]

    for kind in evaluate_masking.STRUCTURED:
        if counts[kind]["labelled"]:
            assert recall(kind) >= 0.98, kind
    assert recall(Identifier.NAME) >= 0.95
    assert recall(Identifier.SCHOOL) >= 0.9
    assert sum(c["right"] for c in counts.values()) / sum(c["masked"] for c in counts.values()) >= 0.95
    assert evaluate_masking.evaluate.touched <= 0.05 * evaluate_masking.evaluate.clean
