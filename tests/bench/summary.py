#!/usr/bin/env python3
"""The benchmark's closing table: what tests/bench/run.sh measured (in
its environment and files), each against its target. Exit status 1 when
a target is missed."""

import json
import os
import re
import statistics
import sys

E = os.environ
GIB = 1024 ** 3


def rates(path, label):
    """The decisions/s of each line of path that starts with label, in
    order: one per run."""
    found = []
    with open(path) as f:
        for line in f:
            if line.startswith(label + " "):
                found.append(float(re.search(r"([0-9.]+) decisions/s",
                                             line).group(1)))
    if not found:
        sys.exit("summary: no '%s' line in %s" % (label, path))
    return found


def engine_rows(t_x):
    """The engine's two figures against iam-simulate's: the median rate
    of each, and the median of the ratios of the runs made in turn."""
    out = os.path.join(E["OUT"], "%s.txt")
    sim = rates(out % "simulate", "iam-simulate")
    rows = [("iam-simulate (JavaScript), median of %d" % len(sim),
             "%.0f decisions/s" % statistics.median(sim), "", "1x", None)]
    for label, what in (("decide", "decide (policies compiled once)"),
                        ("load+decide", "load+decide (like iam-simulate)")):
        mine = rates(out % "engine", label)
        ratio = statistics.median(a / b for a, b in zip(mine, sim))
        rows.append(("engine, " + what, "%.0f decisions/s" %
                     statistics.median(mine), ">= %gx iam-simulate" % t_x,
                     "%.1fx iam-simulate (%s)" % (ratio, ", ".join(
                         "%.1f" % (a / b) for a, b in zip(mine, sim))),
                     ratio >= t_x))
    return rows


def account():
    with open(os.path.join(E["data"], "manifest.json")) as f:
        m = json.load(f)
    return ("%d roles, %d users, %d customer managed policies, %d "
            "CloudTrail records in %d files" % (
                m["roles"], m["users"], m["policies"], m["records"],
                m["files"]))


def rows():
    """(measure, result, target, ratio to target, verdict) per line."""
    total = float(E["median"])
    rss = int(E["rss_kb"]) * 1024
    collect, check = float(E["collect_s"]), float(E["check_s"])
    t_s, t_gib = float(E["TARGET_S"]), float(E["TARGET_GIB"])
    out = [
        ("whole assessment, median of %s runs" % E["RUNS"],
         "%.1f s" % total, "<= %g s" % t_s,
         "%.2fx of target" % (total / t_s), total <= t_s),
        ("peak memory (maximum RSS)", "%.2f GiB" % (rss / GIB),
         "<= %g GiB" % t_gib, "%.2fx of target" % (rss / GIB / t_gib),
         rss <= t_gib * GIB),
        ("  import alone (collect)", "%.1f s, %.2f GiB" % (
            collect, int(E["collect_kb"]) * 1024 / GIB),
         "", "%.0f%% of collect+check" % (100 * collect /
                                          (collect + check)), None),
        ("  checks alone (check)", "%.1f s, %.2f GiB" % (
            check, int(E["check_kb"]) * 1024 / GIB),
         "", "%.0f%% of collect+check" % (100 * check /
                                          (collect + check)), None),
    ]
    if E.get("engine"):
        out += engine_rows(float(E["TARGET_X"]))
    else:
        out.append(("engine vs iam-simulate", "not measured", "", "",
                    False))
    return out


def failed():
    """Names what failed in the assessment: its time is then the time
    of a run that did not finish everything."""
    if E.get("status", "0") == "0":
        return
    with open(os.path.join(E["OUT"], "assess", "report.json")) as f:
        report = json.load(f)
    for p in report["plugins"]:
        if p["status"] == "failed":
            print("failed in the assessment: plugin %s: %s" % (
                p["id"], p.get("error")))
    for s in report["assessment"]["sources"]:
        if s["status"] != "ok":
            print("failed in the assessment: source %s: %s" % (
                s["spec"], s.get("error")))


def main():
    table = rows()
    head = ("measure", "result", "target", "ratio", "")
    widths = [max(len(str(r[i])) for r in table + [head])
              for i in range(4)]
    print("\nnhiscope benchmark: " + account())
    for r in [head] + table:
        verdict = "" if r[4] is None or r == head else \
            ("met" if r[4] else "MISSED")
        print("  ".join(str(r[i]).ljust(widths[i]) for i in range(4)) +
              "  " + verdict)
    failed()
    missed = [r[0] for r in table if r[4] is False]
    if missed:
        print("missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
