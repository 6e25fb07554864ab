"""Precision@5, recall@10 and nDCG@10 of the matcher on the labelled evaluation set, next to a plain
TF-IDF cosine baseline on the raw text, in one run.

    .venv/bin/python bench/matching/evaluate.py [--split dev|test|all] [--no-glossary]

How the set and its labels were made: data/evaluation/build.py and data/evaluation/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "services" / "matching"), str(ROOT / "libs" / "eventkit")]

from matching.adapters.reference_files import load_gazetteer, load_taxonomy  # noqa: E402
from matching.domain.index import MatchIndex  # noqa: E402
from matching.domain.listing import Listing  # noqa: E402
from matching.domain.scoring import Scorer  # noqa: E402
from matching.domain.taxonomy import Lexicon  # noqa: E402

EVALUATION = ROOT / "data" / "evaluation"


def load() -> tuple[list[dict], dict]:
    records = [
        json.loads(line)
        for line in (EVALUATION / "listings.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return records, json.loads((EVALUATION / "labels.json").read_text(encoding="utf-8"))


def to_listing(record: dict) -> Listing:
    return Listing(
        id=uuid.UUID(record["listing_id"]),
        side=record["side"],
        enterprise_id=uuid.UUID(record["enterprise_id"]),
        enterprise_name=record["enterprise_name"],
        country=record["enterprise_country"],
        region=record["enterprise_region"],
        city=record["enterprise_city"],
        legal_id=record["enterprise_legal_id"],
        languages=tuple(record["enterprise_languages"]),
        kind=record["kind"],
        title=record["title"],
        description=record["description"],
        sector=record["sector"],
        product_codes=tuple(record["product_codes"]),
        quantity=record["quantity"],
        unit=record["unit"],
    )


def matcher_rankings(records: list[dict], *, glossary: bool) -> dict[str, list[str]]:
    taxonomy = load_taxonomy(ROOT / "data")
    lexicon = Lexicon.build(taxonomy) if glossary else Lexicon.build(taxonomy, product_concepts={})
    index = MatchIndex(Scorer(taxonomy, load_gazetteer(ROOT / "data")), lexicon)
    index.put_all(to_listing(r) for r in records if r["side"] == "offer")
    return {
        r["listing_id"]: [
            str(c.listing.id) for c in index.match(to_listing(r), threshold=0.0, limit=10)
        ]
        for r in records
        if r["side"] == "need"
    }


_RAW_WORD = re.compile(r"\w+")


def baseline_rankings(records: list[dict]) -> dict[str, list[str]]:
    """TF-IDF (smoothed idf, l2-normalised) cosine on title + description, raw lower-cased words."""

    def words(record: dict) -> list[str]:
        return _RAW_WORD.findall(f"{record['title']} {record['description']}".lower())

    documents = {r["listing_id"]: Counter(words(r)) for r in records}
    frequency = Counter(term for counts in documents.values() for term in counts)
    total = len(documents)
    idf = {term: math.log((1 + total) / (1 + df)) + 1 for term, df in frequency.items()}

    def vector(counts: Counter) -> dict[str, float]:
        weights = {t: c * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    vectors = {lid: vector(counts) for lid, counts in documents.items()}
    offers = [r["listing_id"] for r in records if r["side"] == "offer"]
    rankings = {}
    for need in (r["listing_id"] for r in records if r["side"] == "need"):
        query = vectors[need]
        scored = [(sum(w * vectors[o].get(t, 0.0) for t, w in query.items()), o) for o in offers]
        rankings[need] = [o for _, o in sorted(scored, key=lambda item: (-item[0], item[1]))[:10]]
    return rankings


def metrics(rankings: dict[str, list[str]], labels: dict, needs: list[str]) -> dict[str, float]:
    precision = recall = ndcg = 0.0
    for need in needs:
        relevant = labels[need]["relevant"]
        ranked = rankings[need]
        precision += sum(1 for o in ranked[:5] if o in relevant) / 5
        recall += sum(1 for o in ranked[:10] if o in relevant) / len(relevant)
        gains = [relevant.get(o, 0) for o in ranked[:10]]
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg
    count = len(needs)
    return {"precision@5": precision / count, "recall@10": recall / count, "nDCG@10": ndcg / count}


def hard_negatives_in_top5(
    rankings: dict[str, list[str]], labels: dict, needs: list[str]
) -> Counter:
    found: Counter = Counter()
    for need in needs:
        roles = labels[need]["hard_negatives"]
        found.update(roles[o] for o in rankings[need][:5] if o in roles)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument(
        "--no-glossary",
        action="store_true",
        help="the matcher without its cross-language product glossary",
    )
    args = parser.parse_args()
    records, labels = load()
    systems = {
        "matcher": matcher_rankings(records, glossary=not args.no_glossary),
        "tf-idf baseline": baseline_rankings(records),
    }
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    offers = sum(1 for r in records if r["side"] == "offer")
    print(
        f"evaluation set: {len(records)} listings ({offers} offers, {len(labels)} needs), "
        f"{len({r['sector'] for r in records})} "
        f"sectors{' — matcher without glossary' if args.no_glossary else ''}"
    )
    print(
        f"{'split':<6} {'system':<16} {'P@5':>6} {'R@10':>6} {'nDCG@10':>8}   hard negatives in "
        "the top 5"
    )
    for split in splits + (["all"] if args.split == "all" else []):
        needs = [n for n, label in labels.items() if split == "all" or label["split"] == split]
        for name, rankings in systems.items():
            m = metrics(rankings, labels, needs)
            negatives = dict(hard_negatives_in_top5(rankings, labels, needs))
            print(
                f"{split:<6} {name:<16} {m['precision@5']:>6.3f} {m['recall@10']:>6.3f} "
                f"{m['nDCG@10']:>8.3f}   {negatives}"
            )


if __name__ == "__main__":
    main()
