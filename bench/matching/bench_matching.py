"""Benchmark of candidate generation: the inverted index against a brute-force scan, same data, one
run.

    .venv/bin/python bench/matching/bench_matching.py              # 10k listings, about ten seconds
    .venv/bin/python bench/matching/bench_matching.py --sizes 10000 100000 1000000

For each size: time and memory to build the index, p50/p99 time to match one new listing (by the
index and by a full scan of the other side), and the time of a full re-match of every need as
`python -m matching rematch` finds the partners (`MatchIndex.match_many` per batch of 200 needs, in
`--workers` processes), beside the same in one process and one need at a time. A full re-match at
the larger sizes is measured on a sample of needs and extrapolated (the output says so); so is the
brute-force re-match.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(ROOT / "services" / "matching"),
    str(ROOT / "libs" / "eventkit"),
    str(Path(__file__).parent),
]

from synthetic import Generator, load_cities  # noqa: E402

from bench.common import parsed_options, percentile  # noqa: E402
from matching.adapters.reference_files import load_gazetteer, load_taxonomy  # noqa: E402
from matching.adapters.units import load_quantities  # noqa: E402
from matching.domain.index import MatchIndex  # noqa: E402
from matching.domain.scoring import Scorer  # noqa: E402
from matching.domain.taxonomy import Lexicon  # noqa: E402

THRESHOLD, LIMIT = 0.5, 5


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def run(size: int, *, queries: int, scan_queries: int, rematch_sample: int, workers: int) -> dict:
    taxonomy = load_taxonomy(ROOT / "data")
    generator = Generator(taxonomy, load_cities(ROOT / "data"), seed=size)
    listings = list(generator.listings(size))
    gc.collect()
    before = rss_mb()
    # The scorer as the service builds it: units compared through the units library.
    scorer = Scorer(
        taxonomy, load_gazetteer(ROOT / "data"), quantities=load_quantities(ROOT / "data")
    )
    index = MatchIndex(scorer, Lexicon.build(taxonomy))
    build_ms, _ = timed(index.put_all, listings)
    gc.collect()
    gc.freeze()  # as the service does after building its index: the collector stops walking it
    memory = rss_mb() - before
    new = [generator.listing() for _ in range(queries)]
    by_index = [timed(index.match, listing, threshold=THRESHOLD, limit=LIMIT) for listing in new]
    by_scan = [
        timed(index.match_by_scan, listing, threshold=THRESHOLD, limit=LIMIT)
        for listing in new[:scan_queries]
    ]
    # Only the first `scan_queries` listings are also scanned (a scan is slow): compare those.
    pairs = list(zip(by_index[:scan_queries], by_scan, strict=True))
    agreement = statistics.mean(
        len({c.listing.id for c in a[1]} & {c.listing.id for c in b[1]}) / max(1, len(b[1]))
        for a, b in pairs
    )
    # How much of the scan's top-5 score the index's top 5 keep: missing one of many near-equal
    # partners costs little, missing the one clearly best partner costs a lot.
    score_kept = statistics.mean(
        sum(c.score.value for c in a[1]) / sum(c.score.value for c in b[1])
        for a, b in pairs
        if b[1]
    )
    needs = index.listings("need")
    sample = needs if rematch_sample <= 0 else needs[:rematch_sample]
    # The re-match as `python -m matching rematch` runs it: the needs in batches of 200, each batch
    # matched at once (`match_many`), in `workers` forked processes; one at a time for comparison.
    batches = [sample[start : start + 200] for start in range(0, len(sample), 200)]
    single_ms, single = timed(
        lambda: [index.match(n, threshold=THRESHOLD, limit=LIMIT) for n in sample]
    )
    rematch_ms, pooled = timed(
        lambda: [
            m
            for batch in batches  # first: the workers start with no frames built
            for m in index.match_many(batch, threshold=THRESHOLD, limit=LIMIT, workers=workers)
        ]
    )
    index.close_workers()
    many_ms, many = timed(
        lambda: [
            m
            for batch in batches
            for m in index.match_many(batch, threshold=THRESHOLD, limit=LIMIT)
        ]
    )
    same = [[(c.listing.id, c.score) for c in found] for found in single]
    identical = all(
        [[(c.listing.id, c.score) for c in found] for found in result] == same
        for result in (many, pooled)
    )
    index_times = [t for t, _ in by_index]
    scan_times = [t for t, _ in by_scan]
    gc.unfreeze()
    return {
        "size": size,
        "build_s": build_ms / 1000,
        "memory_mb": memory,
        "p50": percentile(index_times, 0.5),
        "p99": percentile(index_times, 0.99),
        "scan_p50": percentile(scan_times, 0.5),
        "scan_p99": percentile(scan_times, 0.99),
        "agreement": agreement,
        "score_kept": score_kept,
        "needs": len(needs),
        "sampled": len(sample),
        "rematch_s": rematch_ms / 1000 * len(needs) / max(1, len(sample)),
        "single_s": single_ms / 1000 * len(needs) / max(1, len(sample)),
        "many_s": many_ms / 1000 * len(needs) / max(1, len(sample)),
        "identical": identical,
        "workers": workers,
        "scan_rematch_s": statistics.mean(scan_times) / 1000 * len(needs),
        "load": os.getloadavg()[0],
    }


OPTIONS = {
    "--sizes": ([10_000], "listings on each side's index, one run per size"),
    "--queries": (300, "new listings matched by the index per size"),
    "--scan-queries": (30, "of those, matched by a full scan too"),
    "--rematch-sample": (2000, "needs re-matched and extrapolated; 0 = all"),
    "--workers": (
        os.cpu_count() or 1,
        "processes of the re-match (as rematch's --workers)",
    ),
}


def main() -> None:
    args = parsed_options(__doc__, OPTIONS)
    print(
        f"{'listings':>9} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'scan p50':>9} {'scan p99':>9} "
        f"{'top-5 same':>10} {'score kept':>10} {'re-match s':>11} {'1 process':>10} "
        f"{'1 by 1':>7} {'scan re-match s':>16} {'load':>5}"
    )
    for size in args.sizes:
        r = run(
            size,
            queries=args.queries,
            scan_queries=args.scan_queries,
            rematch_sample=args.rematch_sample,
            workers=args.workers,
        )
        estimated = (
            ""
            if r["sampled"] == r["needs"]
            else f" (est. from {r['sampled']} of {r['needs']} needs)"
        )
        print(
            f"{r['size']:>9} {r['build_s']:>8.1f} {r['memory_mb']:>9.0f} {r['p50']:>7.2f} "
            f"{r['p99']:>7.2f} "
            f"{r['scan_p50']:>9.1f} {r['scan_p99']:>9.1f} {r['agreement']:>10.0%} "
            f"{r['score_kept']:>10.1%} {r['rematch_s']:>11.0f} "
            f"{r['many_s']:>10.0f} {r['single_s']:>7.0f} {r['scan_rematch_s']:>16.0f} "
            f"{r['load']:>5.1f} (scan re-match est.){estimated}"
            f" re-match in {r['workers']} processes; same partners and scores as one by one: "
            f"{r['identical']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
