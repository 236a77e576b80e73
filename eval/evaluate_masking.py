"""Prints the identifier masker's precision and recall per identifier type, on a labelled set.

    python eval/evaluate_masking.py [--show-misses] [FILE]

FILE (default eval/identifiers.txt) holds one sentence a line, each identifier marked inline as
[[type:text]]. A labelled identifier counts as found when masked spans cover all of it (whatever
kind the masker called it: masked is masked). A masked span counts as right when it overlaps a
labelled identifier.
"""

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.masking import Identifier, find, normalise

DEFAULT_SET = Path(__file__).parent / "identifiers.txt"
MARK = re.compile(r"\[\[(\w+):(.+?)\]\]")
LABELS = {
    "name": Identifier.NAME,
    "dob": Identifier.DOB,
    "phone": Identifier.PHONE,
    "email": Identifier.EMAIL,
    "url": Identifier.URL,
    "postcode": Identifier.POSTCODE,
    "address": Identifier.ADDRESS,
    "nhs": Identifier.NHS,
    "ni": Identifier.NI,
    "case_ref": Identifier.CASE,
    "vehicle": Identifier.VEHICLE,
    "handle": Identifier.HANDLE,
    "school": Identifier.SCHOOL,
}
# Every kind but names and schools, each held to 0.98 recall (issue 14).
STRUCTURED = set(Identifier) - {Identifier.NAME, Identifier.SCHOOL}


@dataclass(frozen=True)
class Labelled:
    text: str
    spans: tuple[tuple[int, int, Identifier], ...]


def read_set(path: Path) -> list[Labelled]:
    """Returns the labelled sentences in a file, markup removed."""
    sentences = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        text, spans, last = "", [], 0
        # Each piece is normalised as the masker will see it (an ellipsis becomes three dots).
        for match in MARK.finditer(line):
            text += normalise(line[last : match.start()])
            kind = LABELS.get(match.group(1))
            if kind is None:
                raise SystemExit(f"line {number}: unknown type {match.group(1)!r}")
            labelled = normalise(match.group(2))
            spans.append((len(text), len(text) + len(labelled), kind))
            text += labelled
            last = match.end()
        text += normalise(line[last:])
        if normalise(text) != text:
            raise SystemExit(f"line {number}: holds characters normalisation would change")
        sentences.append(Labelled(text, tuple(spans)))
    return sentences


def covered(start: int, end: int, text: str, masked: list[tuple[int, int]]) -> bool:
    return all(any(s <= i < e for s, e in masked) for i in range(start, end) if not text[i].isspace())


def evaluate(sentences: list[Labelled], show_misses: bool = False) -> dict[Identifier, dict[str, int]]:
    """Returns, per kind: labelled, found, masked, right; prints misses when asked. How many
    sentences hold no identifier, and how many of those got a mask, are kept in
    evaluate.clean and evaluate.touched."""
    counts = {kind: dict(labelled=0, found=0, masked=0, right=0) for kind in Identifier}
    timings = []
    evaluate.clean = evaluate.touched = 0
    for sentence in sentences:
        began = time.perf_counter()
        predicted = find(sentence.text)
        timings.append(time.perf_counter() - began)
        if not sentence.spans:
            evaluate.clean += 1
            evaluate.touched += bool(predicted)
        masked = [(p.start, p.end) for p in predicted]
        for start, end, kind in sentence.spans:
            counts[kind]["labelled"] += 1
            if covered(start, end, sentence.text, masked):
                counts[kind]["found"] += 1
            elif show_misses:
                print(f"MISSED {kind.value}: {sentence.text[start:end]!r} in {sentence.text!r}")
        for span in predicted:
            counts[span.kind]["masked"] += 1
            if any(span.start < end and start < span.end for start, end, _ in sentence.spans):
                counts[span.kind]["right"] += 1
            elif show_misses:
                print(f"WRONGLY {span.kind.value}: {sentence.text[span.start : span.end]!r} in {sentence.text!r}")
    evaluate.median_ms = statistics.median(timings) * 1000 if timings else 0.0
    return counts


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "  -  "


def report(counts: dict[Identifier, dict[str, int]], sentences: int) -> str:
    lines = [f"{'identifier':<21}{'labelled':>9}{'recall':>8}{'masked':>8}{'precision':>10}"]
    for kind, c in counts.items():
        lines.append(
            f"{kind.value:<21}{c['labelled']:>9}{_ratio(c['found'], c['labelled']):>8}"
            f"{c['masked']:>8}{_ratio(c['right'], c['masked']):>10}"
        )
    total = {key: sum(c[key] for c in counts.values()) for key in ("labelled", "found", "masked", "right")}
    structured = [counts[k] for k in STRUCTURED]
    lines += [
        f"{'all':<21}{total['labelled']:>9}{_ratio(total['found'], total['labelled']):>8}"
        f"{total['masked']:>8}{_ratio(total['right'], total['masked']):>10}",
        f"structured (all but names and schools) recall: "
        f"{_ratio(sum(c['found'] for c in structured), sum(c['labelled'] for c in structured))}",
        f"sentences with no identifier: {evaluate.clean}, of which masked: {evaluate.touched}"
        f" ({_ratio(evaluate.touched, evaluate.clean)})",
        f"{sentences} sentences; median {evaluate.median_ms:.2f} ms a sentence",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--show-misses", action="store_true", help="print every miss and every wrong mask")
    args = parser.parse_args()
    sentences = read_set(args.file)
    print(report(evaluate(sentences, args.show_misses), len(sentences)))


if __name__ == "__main__":
    main()
