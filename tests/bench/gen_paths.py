#!/usr/bin/env python3
"""Fills an evidence store (made by bench_paths, schema current) with an
invented access graph for the AI path benchmark: AGENTS Bedrock agents,
IDENTITIES IAM roles in ten accounts, RESOURCES S3 buckets (a fifth of
them confidential or restricted), EDGES edges in all (runs_as, role
trusts as can_assume, can_read/can_write to buckets, a few to the set of
every bucket of an account), the roles' trust policies (four in five
name their callers, which allows the hop; the rest name the account,
and the caller holds no sts:AssumeRole), a trail logging some buckets'
reads (200 buckets by name and the 100 of one prefix, within what
CloudTrail's selectors allow), and activity of some paths. Python standard library, fixed seed.

  gen_paths.py STORE [--scale F]"""
import json
import random
import sqlite3
import sys

AGENTS, IDENTITIES, RESOURCES, EDGES = 1000, 100000, 50000, 1000000


def arn(acct, i):
    return f"arn:aws:iam::{acct}:role/svc-{i:06d}"


def main():
    path = sys.argv[1]
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    agents, ids = int(AGENTS * scale), int(IDENTITIES * scale)
    nres, nedges = int(RESOURCES * scale), int(EDGES * scale)
    rnd = random.Random(20261201)
    accts = [f"1111{n:08d}" for n in range(10)]
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    acct_of = [accts[i % 10] for i in range(ids)]
    roles = [arn(acct_of[i], i) for i in range(ids)]
    db.executemany(
        "INSERT INTO identities(provider, account, native_id, name, kind)"
        " VALUES('aws', ?, ?, ?, 'role')",
        ((acct_of[i], roles[i], roles[i].rsplit("/", 1)[1])
         for i in range(ids)))
    levels = ["confidential", "restricted"]
    buckets = [f"arn:aws:s3:::data-{n:06d}" for n in range(nres)]
    db.executemany(
        "INSERT INTO resources(provider, account, native_id, type, name,"
        " sensitivity, sensitivity_source) VALUES('aws', ?, ?, 's3-bucket',"
        " ?, ?, ?)",
        ((accts[n % 10], b, b[13:],
          levels[n % 2] if n % 5 == 0 else None,
          "tag" if n % 5 == 0 else None) for n, b in enumerate(buckets)))
    edges, trusts = [], {}
    for a in range(agents):
        agent = f"arn:aws:bedrock:eu-west-1:{accts[a % 10]}:agent/A{a:07d}"
        db.execute("INSERT INTO ai_agents(native_id, platform, name,"
                   " data_sources) VALUES(?, 'aws-bedrock-agent', ?, ?)",
                   (agent, f"agent-{a}", json.dumps(
                       [{"type": "s3", "ref": buckets[a % nres]}])))
        for k in range(1 + a % 2):
            edges.append(("runs_as", "ai_agent", agent, "identity",
                          roles[(a * 2 + k) % ids], None, '{"as":"agent"}'))
    assumes = nedges // 5
    for _ in range(assumes):
        i = rnd.randrange(ids)
        j = (i // 10 * 10 + rnd.randrange(10) * 10 + i % 10) % ids
        j = rnd.randrange(ids) if rnd.random() < 0.5 else j
        if acct_of[j] != acct_of[i]:
            j = (j - j % 10 + i % 10) % ids
        if i == j:
            continue
        named = rnd.random() < 0.8
        trusts.setdefault(j, []).append(roles[i] if named else
                                        f"arn:aws:iam::{acct_of[i]}:root")
        edges.append(("can_assume", "identity" if named else "account",
                      roles[i] if named else
                      f"arn:aws:iam::{acct_of[i]}:root", "identity",
                      roles[j], '["sts:AssumeRole"]', None))
    sets = 0
    while len(edges) < nedges:
        i = rnd.randrange(ids)
        if rnd.random() < 0.002:
            acct = acct_of[i]
            sets += 1
            edges.append(("can_read", "identity", roles[i], "resource_set",
                          "arn:aws:s3:::*", '["s3:GetObject"]', json.dumps({
                              "derived": "aws-policy-engine",
                              "decision": "allow",
                              "resource_type": "s3-bucket", "objects": ["*"],
                              "set": {"provider": "aws",
                                      "prefix": "arn:aws:s3:::",
                                      "account": acct, "except": [],
                                      "stores": nres // 10}})))
            continue
        n = rnd.randrange(nres)
        kind = "can_write" if rnd.random() < 0.3 else "can_read"
        edges.append((kind, "identity", roles[i], "resource", buckets[n],
                      '["s3:GetObject","s3:GetObjectVersion"]'
                      if kind == "can_read" else '["s3:PutObject"]',
                      '{"derived":"aws-policy-engine","decision":"allow",'
                      '"resource_type":"s3-bucket","objects":["*"]}'))
    db.executemany("INSERT INTO edges(kind, from_type, from_ref, to_type,"
                   " to_ref, actions, attrs) VALUES(?,?,?,?,?,?,?)", edges)
    db.executemany(
        "INSERT INTO policies(provider, native_id, kind, document)"
        " VALUES('aws', ?, 'trust', ?)",
        ((roles[j] + "#trust", json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": sorted(set(p))},
                "Action": "sts:AssumeRole"}]})) for j, p in trusts.items()))
    reads = [e for e in edges if e[0] == "can_read" and e[3] == "resource"]
    db.executemany(
        "INSERT INTO activity(identity_ref, action, resource, source_ip,"
        " user_agent, first_seen, last_seen, count) VALUES(?,"
        " 's3:GetObject', ?, 'bedrock.amazonaws.com',"
        " 'bedrock.amazonaws.com', '2026-11-02T10:00:00Z',"
        " '2026-11-29T10:00:00Z', ?)",
        ((e[2], e[4] + "/docs/part-0001.json", 1 + k % 40)
         for k, e in enumerate(reads[::8])))
    db.execute(
        "INSERT INTO resources(provider, account, native_id, type, name,"
        " attrs) VALUES('aws', ?, 'arn:aws:cloudtrail:eu-west-1:' || ? ||"
        " ':trail/main', 'cloudtrail-trail', 'main', ?)",
        (accts[0], accts[0], json.dumps({
            "is_logging": True, "selectors_known": True,
            "data_event_scope": {"s3": [b + "/" for b in buckets[::250]]
                                 + ["arn:aws:s3:::data-0001"]}})))
    db.commit()
    print(f"{agents} agents, {ids} identities, {nres} resources,"
          f" {len(edges)} edges ({assumes} trusts, {sets} to sets),"
          f" {len(trusts)} trust policies")


if __name__ == "__main__":
    main()
