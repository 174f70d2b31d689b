#!/usr/bin/env python3
"""Grows the findings of an evidence store to COUNT rows, for the report
benchmark: the store's own findings (the demo's, say) are the patterns,
repeated in turn with numbered identities and evidence, so severities,
checks, questions, evidence shapes and remediation texts keep the mix
real checks give. The result depends on COUNT and the patterns only.

    python3 tests/bench/gen_findings.py DIR/evidence.db 100000
"""
import json
import sqlite3
import sys

COLUMNS = ("check_id", "question", "category", "owasp", "severity",
           "status", "confidence", "identity_ref", "resource_ref", "title",
           "evidence", "threshold", "remediation", "effort")


def numbered(ref, n):
    """An ARN or other reference made unique with the number n."""
    if not ref:
        return ref
    return "%s-%06d" % (ref, n)


def variant(row, n):
    """Pattern row made the n-th finding: its identity, resource and a
    field of its evidence numbered."""
    out = dict(zip(COLUMNS, row))
    out["identity_ref"] = numbered(out["identity_ref"], n)
    out["resource_ref"] = numbered(out["resource_ref"], n)
    try:
        evidence = json.loads(out["evidence"]) if out["evidence"] else {}
    except ValueError:
        evidence = {}
    if isinstance(evidence, dict):
        evidence["instance"] = n
        out["evidence"] = json.dumps(evidence, sort_keys=True)
    return tuple(out[c] for c in COLUMNS)


def main(db, count):
    con = sqlite3.connect(db)
    patterns = con.execute("SELECT %s FROM findings ORDER BY id"
                           % ", ".join(COLUMNS)).fetchall()
    if not patterns:
        sys.exit("gen_findings: %s holds no findings to repeat" % db)
    with con:
        con.execute("DELETE FROM findings")
        con.executemany(
            "INSERT INTO findings (%s) VALUES (%s)"
            % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))),
            (variant(patterns[i % len(patterns)], i) for i in range(count)))
    con.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: gen_findings.py EVIDENCE.DB COUNT")
    main(sys.argv[1], int(sys.argv[2]))
