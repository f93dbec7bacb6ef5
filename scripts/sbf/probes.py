#!/usr/bin/env python3
"""Turns the log of a `cu-probes` build (liquidation_bench with LIQUIDATION_BENCH_LOGS=1) into
a compute-unit table per stage, for each transaction whose label matches an argument.

Each `cu: <stage>` line is followed by the runtime's `Program consumption: N units remaining`;
a stage's units are the remaining units at the probe before it less those at its own probe,
less the probe's own cost (PROBE_COST, measured: a probe right after a probe), summed over every
time the stage ran (per-asset stages run once per asset); the stages add up to the
instruction's units less the probes' cost. `(entry)` is the entrypoint and Anchor's account
checks before the first probe; `(exit)` what follows the last one.

    python3 scripts/sbf/probes.py LOG 'withdraw at 16' 'liquidate (shared) at 16'
"""
import re
import sys
from collections import OrderedDict

PROGRAM = "BaLLastMarg1n1111111111111111111111111111111"
# sol_log of a short string (100) + sol_log_compute_units (100) + the call and its string setup.
PROBE_COST = 206


def blocks(lines):
    label, body = None, []
    for line in lines:
        if line.startswith("== tx: "):
            label, body = line[len("== tx: "):].strip(), []
        elif line.startswith("== end") and label is not None:
            yield label, body
            label = None
        elif label is not None:
            body.append(line)


def breakdown(body):
    """Units per stage, runs per stage, the instruction's units, and the number of probes.

    Between two probes a stage pays one whole probe (the tail of the one before it and the head
    of its own); the first stage and the exit pay half of one each, so the stages add up to the
    instruction's units less PROBE_COST per probe.
    """
    start = consumed = None
    for line in body:
        m = re.match(rf"Program {PROGRAM} consumed (\d+) of (\d+) compute units", line)
        if m:
            consumed, start = int(m.group(1)), int(m.group(2))
    stages = OrderedDict()
    counts = {}
    if start is None:
        return stages, counts, consumed, 0
    prev, pending, first = start, None, True
    for line in body:
        m = re.match(r"Program log: cu: (.*)", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"Program consumption: (\d+) units remaining", line)
        if m and pending is not None:
            left = int(m.group(1))
            stage = "(entry) " + pending if first else pending
            cost = prev - left - (PROBE_COST // 2 if first else PROBE_COST)
            stages[stage] = stages.get(stage, 0) + cost
            counts[stage] = counts.get(stage, 0) + 1
            prev, pending, first = left, None, False
    probes = sum(counts.values())
    if probes:
        stages["(exit)"] = prev - (start - consumed) - PROBE_COST // 2
        counts["(exit)"] = 1
    return stages, counts, consumed, probes


def main():
    path, wanted = sys.argv[1], sys.argv[2:]
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f]
    for label, body in blocks(lines):
        if wanted and label not in wanted:
            continue
        stages, counts, consumed, probes = breakdown(body)
        if not stages:
            continue
        net = (consumed or 0) - probes * PROBE_COST
        print(f"### {label}: {consumed:,} CU with {probes} probes, about {net:,} without")
        print()
        print("| stage | runs | CU | share |")
        print("|---|---:|---:|---:|")
        for stage, cu in stages.items():
            share = 100.0 * cu / net if net else 0
            print(f"| {stage} | {counts[stage]} | {cu:,} | {share:.1f}% |")
        print()


if __name__ == "__main__":
    main()
