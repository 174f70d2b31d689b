#!/usr/bin/env python3
"""The benchmark's closing table: what tests/bench/run.sh measured (in
its environment and files), each against its target. Exit status 1 when
a target is missed."""

import json
import os
import re
import sys

E = os.environ
GIB = 1024 ** 3


def rate(path, label):
    """The decisions/s on the line of path that starts with label."""
    with open(path) as f:
        for line in f:
            if line.startswith(label + " "):
                return float(re.search(r"([0-9.]+) decisions/s",
                                       line).group(1))
    sys.exit("summary: no '%s' line in %s" % (label, path))


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
        sim = rate(os.path.join(E["OUT"], "simulate.txt"), "iam-simulate")
        full = rate(os.path.join(E["OUT"], "engine.txt"), "load+decide")
        alone = rate(os.path.join(E["OUT"], "engine.txt"), "decide")
        t_x = float(E["TARGET_X"])
        out += [
            ("iam-simulate (JavaScript)", "%.0f decisions/s" % sim, "",
             "1x", None),
            ("engine, decide (policies compiled once)",
             "%.0f decisions/s" % alone, ">= %gx iam-simulate" % t_x,
             "%.1fx iam-simulate" % (alone / sim), alone >= t_x * sim),
            ("engine, load+decide (like iam-simulate)",
             "%.0f decisions/s" % full, ">= %gx iam-simulate" % t_x,
             "%.1fx iam-simulate" % (full / sim), full >= t_x * sim),
        ]
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
