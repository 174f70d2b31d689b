#!/usr/bin/env python3
"""Writes the benchmark's AWS account: a get-account-authorization-details
export (gaad.json) and a month of CloudTrail logs in the S3 layout
(cloudtrail/AWSLogs/...), all invented and reproducible from one seed.

    python3 tests/bench/gen_account.py [--scale F] [--root DIR]

The data goes to DIR/s<scale>-<stamp>/ (default $NHI_BENCH_CACHE, else
${XDG_CACHE_HOME:-~/.cache}/nhiscope-bench), where the stamp hashes this
file and the parameters; a complete folder is reused, older ones of the
same scale are removed. Prints the folder's path. --scale 0.01 makes a
small account for trying the benchmark out. Files are byte for byte the
same from one run to the next (gzip headers carry no time)."""

import argparse
import gzip
import hashlib
import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import time

SEED = 20261201
ROLES, USERS, POLICIES, RECORDS = 20000, 5000, 10000, 5000000
GROUPS = 150
DAYS = 30                       # 2026-11-01 .. 2026-11-30
PER_FILE = 500                  # records in one delivered file, on average
ACCT = "702958314466"
ORG_ACCTS = ["702958314400", "702958314467", "702958314468"]
VENDOR_ACCTS = ["210987654321", "309846127755", "464622532012",
                "518273645091", "733910028417"]
REGIONS = [("us-east-1", 0.40), ("eu-central-1", 0.28),
           ("eu-west-1", 0.15), ("us-west-2", 0.11),
           ("ap-southeast-1", 0.06)]
CO = "halvorsen"                # the invented company's resource prefix
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

FIRST = ("anna ben carla dmitri elif farid greta hugo ines jonas kofi "
         "lena mateo nadia oskar paula quentin rosa samir tara umar vera "
         "wanda xavier yara zeno amir bianca cyrus daria emil fatima "
         "gustav hana ivan julia kenji lucia marek noor olga pavel "
         "rania stefan tomas ursula viktor wei yusuf zofia").split()
LAST = ("adler berg costa dahl eriksen fischer garcia haas ito jensen "
        "kowalski lund moreau nakamura olsen petrov quinn rossi schmidt "
        "tanaka ueda vogel weber xu young zimmer alvarez brandt chen "
        "dubois engel frost gupta horvat ivanova jovanovic kim larsen "
        "meyer novak ortiz park ruiz silva torres wagner yilmaz").split()
DEPTS = ["Platform", "Data", "Finance", "Logistics", "Security",
         "Firmware", "Support", "Sales", "Ops", "Research"]
TEAMS = ["platform", "data", "billing", "fleet", "routing", "warehouse",
         "customs", "portal", "mobile", "ml", "security", "sre",
         "finance", "search", "pricing", "telemetry"]
APPS = ["orders", "tracking", "invoices", "manifests", "drivers",
        "quotes", "scanner", "eta", "labels", "claims", "docs", "events",
        "reports", "auth", "notify", "geo", "fuel", "dock", "audit",
        "assistant"]
WORDS = ["ingest", "export", "sync", "worker", "api", "cron", "etl",
         "stream", "batch", "indexer", "gateway", "loader", "agent"]
ENVS = ["prod", "staging", "dev", "qa"]


def cache_root(arg):
    if arg:
        return arg
    env = os.environ.get("NHI_BENCH_CACHE")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nhiscope-bench")


def params(scale):
    n = lambda x: max(1, int(round(x * scale)))
    return {"seed": SEED, "roles": n(ROLES), "users": n(USERS),
            "policies": n(POLICIES), "groups": n(GROUPS),
            "records": n(RECORDS), "days": DAYS, "per_file": PER_FILE}


def stamp(p):
    with open(__file__, "rb") as f:
        src = f.read()
    text = json.dumps(p, sort_keys=True).encode()
    return hashlib.sha256(src + b"\0" + text).hexdigest()[:16]


class Gen:
    """The seeded generator and the helpers every part draws from."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, seq):
        return seq[int(self.r.random() * len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def between(self, lo, hi):
        return self.r.randint(lo, hi)

    def some(self, seq, lo, hi):
        return self.r.sample(seq, min(len(seq), self.between(lo, hi)))

    def iam_id(self, prefix):
        return prefix + "".join(self.r.choice(B32) for _ in range(17))

    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def date(self, y0, y1):
        t = self.r.uniform(time.mktime((y0, 1, 1, 0, 0, 0, 0, 0, 0)),
                           time.mktime((y1, 1, 1, 0, 0, 0, 0, 0, 0)))
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def resource_pools(g):
    """The account's data stores, which policies and activity name."""
    def names(n, fmt):
        out = []
        while len(out) < n:
            s = fmt()
            if s not in out:
                out.append(s)
        return out
    p = {}
    p["bucket"] = names(300, lambda: "%s-%s-%s-%s" % (
        CO, g.pick(APPS), g.pick(["data", "logs", "exports", "uploads",
                                  "backups", "artifacts"]), g.pick(ENVS)))
    p["table"] = names(200, lambda: "%s-%s-%s" % (
        g.pick(APPS), g.pick(["items", "state", "events", "index",
                              "sessions"]), g.pick(ENVS)))
    p["queue"] = names(150, lambda: "%s-%s-%s" % (
        g.pick(APPS), g.pick(WORDS), g.pick(["jobs", "dlq", "events"])))
    p["topic"] = names(80, lambda: "%s-%s-%s" % (
        g.pick(APPS), g.pick(["alerts", "changes", "notify"]),
        g.pick(ENVS)))
    p["function"] = names(400, lambda: "%s-%s-%s" % (
        g.pick(APPS), g.pick(WORDS), g.pick(ENVS)))
    p["secret"] = names(200, lambda: "%s/%s/%s-%s" % (
        g.pick(ENVS), g.pick(APPS), g.pick(["db", "api-key", "token",
                                            "smtp", "webhook"]),
        "".join(g.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz")
                for _ in range(6))))
    p["key"] = [g.hexs(8) + "-" + g.hexs(4) + "-" + g.hexs(4) + "-" +
                g.hexs(4) + "-" + g.hexs(12) for _ in range(60)]
    p["loggroup"] = names(200, lambda: "/%s/%s/%s" % (
        g.pick(["aws/lambda", "ecs", "app"]), g.pick(APPS), g.pick(WORDS)))
    p["repo"] = names(150, lambda: "%s/%s" % (g.pick(TEAMS),
                                              g.pick(APPS)))
    p["stream"] = names(50, lambda: "%s-%s" % (g.pick(APPS),
                                               g.pick(["clicks", "gps",
                                                       "scans"])))
    p["param"] = names(200, lambda: "/%s/%s/%s" % (g.pick(ENVS),
                                                   g.pick(APPS),
                                                   g.pick(WORDS)))
    p["gluedb"] = names(40, lambda: "%s_%s" % (g.pick(APPS),
                                               g.pick(["raw", "curated"])))
    return p


def arn(kind, name, region="us-east-1"):
    return {
        "bucket": "arn:aws:s3:::%s", "table":
        "arn:aws:dynamodb:{r}:{a}:table/%s", "queue": "arn:aws:sqs:{r}:{a}:%s",
        "topic": "arn:aws:sns:{r}:{a}:%s",
        "function": "arn:aws:lambda:{r}:{a}:function:%s",
        "secret": "arn:aws:secretsmanager:{r}:{a}:secret:%s",
        "key": "arn:aws:kms:{r}:{a}:key/%s",
        "loggroup": "arn:aws:logs:{r}:{a}:log-group:%s:*",
        "repo": "arn:aws:ecr:{r}:{a}:repository/%s",
        "stream": "arn:aws:kinesis:{r}:{a}:stream/%s",
        "param": "arn:aws:ssm:{r}:{a}:parameter%s",
        "gluedb": "arn:aws:glue:{r}:{a}:database/%s",
    }[kind].replace("{r}", region).replace("{a}", ACCT) % name


# Per service: the resource kind it acts on, read and write actions.
SERVICES = {
    "s3": ("bucket", ["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion",
                      "s3:GetBucketLocation"],
           ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"]),
    "dynamodb": ("table", ["dynamodb:GetItem", "dynamodb:Query",
                           "dynamodb:Scan", "dynamodb:BatchGetItem",
                           "dynamodb:DescribeTable"],
                 ["dynamodb:PutItem", "dynamodb:UpdateItem",
                  "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]),
    "sqs": ("queue", ["sqs:ReceiveMessage", "sqs:GetQueueAttributes",
                      "sqs:GetQueueUrl"],
            ["sqs:SendMessage", "sqs:DeleteMessage",
             "sqs:ChangeMessageVisibility"]),
    "sns": ("topic", ["sns:GetTopicAttributes", "sns:ListSubscriptions"],
            ["sns:Publish", "sns:Subscribe"]),
    "lambda": ("function", ["lambda:GetFunction",
                            "lambda:GetFunctionConfiguration"],
               ["lambda:InvokeFunction", "lambda:UpdateFunctionCode"]),
    "secretsmanager": ("secret", ["secretsmanager:GetSecretValue",
                                  "secretsmanager:DescribeSecret"],
                       ["secretsmanager:PutSecretValue",
                        "secretsmanager:RotateSecret"]),
    "kms": ("key", ["kms:Decrypt", "kms:DescribeKey"],
            ["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"]),
    "logs": ("loggroup", ["logs:GetLogEvents", "logs:FilterLogEvents"],
             ["logs:CreateLogStream", "logs:PutLogEvents"]),
    "ecr": ("repo", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                     "ecr:DescribeImages"],
            ["ecr:PutImage", "ecr:InitiateLayerUpload",
             "ecr:CompleteLayerUpload"]),
    "kinesis": ("stream", ["kinesis:GetRecords", "kinesis:GetShardIterator",
                           "kinesis:DescribeStream"],
                ["kinesis:PutRecord", "kinesis:PutRecords"]),
    "ssm": ("param", ["ssm:GetParameter", "ssm:GetParameters",
                      "ssm:GetParametersByPath"], ["ssm:PutParameter"]),
    "glue": ("gluedb", ["glue:GetTable", "glue:GetPartitions",
                        "glue:GetDatabase"],
             ["glue:CreateTable", "glue:BatchCreatePartition"]),
}

CONDITIONS = [
    lambda g: {"StringEquals": {"aws:PrincipalTag/team": g.pick(TEAMS)}},
    lambda g: {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8",
                                              "192.0.2.0/24"]}},
    lambda g: {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    lambda g: {"StringEquals": {"aws:RequestedRegion":
                                [r for r, _ in REGIONS[:2]]}},
    lambda g: {"StringLike": {"s3:prefix": ["%s/*" % g.pick(APPS)]}},
    lambda g: {"StringEquals": {"aws:ResourceTag/env": g.pick(ENVS)}},
    lambda g: {"ArnLike": {"aws:PrincipalArn":
                           "arn:aws:iam::%s:role/%s-*" % (ACCT,
                                                          g.pick(TEAMS))}},
    lambda g: {"DateLessThan": {"aws:CurrentTime": "2027-06-30T00:00:00Z"}},
]


def scoped_statement(g, pools):
    svc = g.pick(list(SERVICES))
    kind, reads, writes = SERVICES[svc]
    region = g.pick(REGIONS)[0]
    acts = g.some(reads, 1, len(reads))
    if g.chance(0.5):
        acts += g.some(writes, 1, len(writes))
    names = g.some(pools[kind], 1, 4)
    res = [arn(kind, n, region) for n in names]
    if kind == "bucket":
        res += [r + "/*" for r in res]
    if g.chance(0.15):
        res = [r.rsplit("/", 1)[0] + "/*" if "/" in r else r for r in res]
    return {"Effect": "Allow",
            "Action": acts[0] if len(acts) == 1 else acts,
            "Resource": res[0] if len(res) == 1 else res}


def statement(g, pools):
    """One statement of a customer policy: mostly scoped, some broad."""
    x = g.r.random()
    if x < 0.002:
        st = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    elif x < 0.004:
        st = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    elif x < 0.016:
        st = {"Effect": "Allow", "Action": "%s:*" % g.pick(list(SERVICES)),
              "Resource": "*"}
    elif x < 0.136:
        svc = g.some(list(SERVICES) + ["ec2", "cloudwatch", "iam"], 1, 3)
        st = {"Effect": "Allow", "Action": [
            "%s:%s*" % (s, g.pick(["Describe", "List"])) for s in svc],
              "Resource": "*"}
    elif x < 0.14:
        st = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*",
                                               "account:*"],
              "Resource": "*"}
    elif x < 0.19:
        st = {"Effect": "Deny", "Action": g.some(
            ["s3:DeleteBucket", "kms:ScheduleKeyDeletion",
             "iam:CreateAccessKey", "cloudtrail:StopLogging",
             "dynamodb:DeleteTable"], 1, 3), "Resource": "*"}
    elif x < 0.21:
        st = {"Effect": "Deny", "Action": "*", "Resource": "*",
              "Condition": {"NotIpAddress": {"aws:SourceIp":
                                             ["10.0.0.0/8"]}}}
    else:
        st = scoped_statement(g, pools)
    if "Condition" not in st and g.chance(0.22):
        st["Condition"] = g.pick(CONDITIONS)(g)
    if g.chance(0.4):
        st = dict([("Sid", "S%s%d" % (g.pick(WORDS).title(),
                                      g.between(1, 99)))] + list(st.items()))
    return st


def document(g, pools, lo, hi):
    return {"Version": "2012-10-17",
            "Statement": [statement(g, pools)
                          for _ in range(g.between(lo, hi))]}


AWS_MANAGED = [
    ("AdministratorAccess", "/", [("Allow", "*", "*")]),
    ("PowerUserAccess", "/", [("AllowNot", ["iam:*", "organizations:*",
                                            "account:*"], "*")]),
    ("ReadOnlyAccess", "/", [("Allow", ["s3:Get*", "s3:List*", "ec2:Describe*",
                                        "iam:Get*", "iam:List*",
                                        "dynamodb:Describe*", "logs:Get*"],
                              "*")]),
    ("SecurityAudit", "/", [("Allow", ["iam:GetAccountAuthorizationDetails",
                                       "cloudtrail:DescribeTrails",
                                       "config:Describe*"], "*")]),
    ("IAMFullAccess", "/", [("Allow", "iam:*", "*")]),
    ("AmazonS3FullAccess", "/", [("Allow", ["s3:*", "s3-object-lambda:*"],
                                  "*")]),
    ("AmazonS3ReadOnlyAccess", "/", [("Allow", ["s3:Get*", "s3:List*"],
                                      "*")]),
    ("AmazonEC2ReadOnlyAccess", "/", [("Allow", "ec2:Describe*", "*")]),
    ("AmazonDynamoDBFullAccess", "/", [("Allow", "dynamodb:*", "*")]),
    ("AmazonDynamoDBReadOnlyAccess", "/", [("Allow", ["dynamodb:Get*",
                                                      "dynamodb:Query",
                                                      "dynamodb:Scan"],
                                            "*")]),
    ("AmazonSQSFullAccess", "/", [("Allow", "sqs:*", "*")]),
    ("CloudWatchReadOnlyAccess", "/", [("Allow", ["cloudwatch:Get*",
                                                  "cloudwatch:List*",
                                                  "logs:Get*"], "*")]),
    ("AmazonBedrockFullAccess", "/", [("Allow", "bedrock:*", "*")]),
    ("SecretsManagerReadWrite", "/", [("Allow", "secretsmanager:*", "*")]),
    ("ViewOnlyAccess", "/job-function/", [("Allow", ["*:List*",
                                                     "*:Describe*"], "*")]),
    ("AWSLambdaBasicExecutionRole", "/service-role/", [
        ("Allow", ["logs:CreateLogGroup", "logs:CreateLogStream",
                   "logs:PutLogEvents"], "*")]),
    ("AmazonECSTaskExecutionRolePolicy", "/service-role/", [
        ("Allow", ["ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                   "logs:PutLogEvents"], "*")]),
    ("AmazonSSMManagedInstanceCore", "/", [("Allow", ["ssm:UpdateInstance*",
                                                      "ssmmessages:*"],
                                            "*")]),
    ("AmazonECSServiceRolePolicy", "/aws-service-role/", [
        ("Allow", ["ec2:Describe*", "elasticloadbalancing:Describe*"],
         "*")]),
    ("AWSSupportServiceRolePolicy", "/aws-service-role/", [
        ("Allow", ["iam:Get*", "iam:List*"], "*")]),
]


def aws_managed(g):
    out = []
    for name, path, sts in AWS_MANAGED:
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", ("NotAction" if e == "AllowNot"
                                 else "Action"): a, "Resource": r}
            for e, a, r in sts]}
        when = g.date(2015, 2020)
        out.append({"PolicyName": name, "PolicyId": g.iam_id("ANPA"),
                    "Arn": "arn:aws:iam::aws:policy%s%s" % (path, name),
                    "Path": path, "DefaultVersionId": "v1",
                    "AttachmentCount": 0,
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": True, "CreateDate": when,
                    "UpdateDate": when, "PolicyVersionList": [
                        {"Document": doc, "VersionId": "v1",
                         "IsDefaultVersion": True, "CreateDate": when}]})
    return out


def customer_policies(g, pools, n):
    out = []
    nb = max(1, n // 100)
    for i in range(n):
        boundary = i < nb
        path = "/boundaries/" if boundary else g.pick(
            ["/", "/app/", "/team/%s/" % g.pick(TEAMS), "/vendor/", "/ci/"])
        name = "%s-%s-%s-%d" % (g.pick(TEAMS), g.pick(APPS),
                                "boundary" if boundary else
                                g.pick(["access", "read", "write", "rw",
                                        "deploy", "ops"]), i)
        nver = g.between(1, 3)
        versions = []
        for v in range(nver, 0, -1):
            versions.append({
                "Document": document(g, pools, 1, 6) if not boundary else
                {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": g.some(
                        ["s3:*", "dynamodb:*", "sqs:*", "logs:*", "kms:*",
                         "lambda:*", "ec2:Describe*", "ssm:Get*"], 3, 7),
                     "Resource": "*"},
                    {"Effect": "Deny", "Action": ["iam:*",
                                                  "organizations:*"],
                     "Resource": "*"}]},
                "VersionId": "v%d" % v, "IsDefaultVersion": v == nver,
                "CreateDate": g.date(2019 + v, 2021 + v)})
        out.append({"PolicyName": name, "PolicyId": g.iam_id("ANPA"),
                    "Arn": "arn:aws:iam::%s:policy%s%s" % (ACCT, path, name),
                    "Path": path, "DefaultVersionId": "v%d" % nver,
                    "AttachmentCount": 0,
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": True, "CreateDate": g.date(2019, 2021),
                    "UpdateDate": versions[0]["CreateDate"],
                    "PolicyVersionList": versions})
    return out


class Attach:
    """Hands out managed policies to attach, every one in turn, then by
    a skewed draw so a few policies are attached very widely."""

    def __init__(self, g, policies, managed):
        self.g, self.policies, self.managed = g, policies, managed
        self.boundaries = [p for p in policies
                           if p["Path"] == "/boundaries/"]
        self.plain = [p for p in policies if p["Path"] != "/boundaries/"]
        self.next = 0

    def ref(self, p, usage="AttachmentCount"):
        p[usage] += 1
        return {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}

    def some(self, lo, hi):
        refs = []
        for _ in range(self.g.between(lo, hi)):
            if self.next < len(self.plain):
                p = self.plain[self.next]
                self.next += 1
            else:
                k = int(len(self.plain) * self.g.r.random() ** 2)
                p = self.plain[k]
            if p["PolicyName"] not in [r["PolicyName"] for r in refs]:
                refs.append(self.ref(p))
        return refs

    def aws(self, name):
        return self.ref(next(p for p in self.managed
                             if p["PolicyName"] == name))

    def boundary(self):
        p = self.g.pick(self.boundaries)
        p["PermissionsBoundaryUsageCount"] += 1
        return {"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": p["Arn"]}


def inline(g, pools, lo, hi):
    return [{"PolicyName": "%s-%s-%d" % (g.pick(APPS), g.pick(WORDS), k),
             "PolicyDocument": document(g, pools, 1, 3)}
            for k in range(g.between(lo, hi))]


def groups(g, pools, att, n):
    out = []
    for i in range(n):
        name = "%s-%s-%d" % (g.pick(TEAMS), g.pick(["admins", "devs",
                                                    "readers", "oncall",
                                                    "analysts"]), i)
        pols = att.some(1, 3)
        if i == 0:
            name, pols = "Admins", [att.aws("AdministratorAccess")]
        elif i == 1:
            name, pols = "ReadOnly", [att.aws("ReadOnlyAccess")]
        out.append({"Path": "/", "GroupName": name,
                    "GroupId": g.iam_id("AGPA"),
                    "Arn": "arn:aws:iam::%s:group/%s" % (ACCT, name),
                    "CreateDate": g.date(2019, 2024),
                    "GroupPolicyList": inline(g, pools, 1, 2)
                    if g.chance(0.3) else [],
                    "AttachedManagedPolicies": pols})
    return out


def tags(g, person):
    if person:
        return [{"Key": "Department", "Value": g.pick(DEPTS)}]
    out = []
    if g.chance(0.7):
        out.append({"Key": "owner", "Value": "%s.%s@%s.example" % (
            g.pick(FIRST), g.pick(LAST), CO)})
    if g.chance(0.8):
        out.append({"Key": "team", "Value": g.pick(TEAMS)})
    if g.chance(0.5):
        out.append({"Key": "env", "Value": g.pick(ENVS)})
    return out


def user(g, pools, att, grps, i, person):
    if person:
        name = "%s.%s%s" % (g.pick(FIRST), g.pick(LAST), i)
        path = "/"
    else:
        name = g.pick(["svc-%s-%s-%d", "ci-%s-%s-%d", "%s-%s-bot-%d"]) % (
            g.pick(APPS), g.pick(WORDS), i)
        path = g.pick(["/", "/service/", "/ci/"])
    u = {"Path": path, "UserName": name, "UserId": g.iam_id("AIDA"),
         "Arn": "arn:aws:iam::%s:user%s%s" % (ACCT, path, name),
         "CreateDate": g.date(2018, 2026),
         "GroupList": [x["GroupName"] for x in g.some(
             grps, 1, 3 if person else 1)] if person or g.chance(0.3)
         else []}
    if not person and g.chance(0.2):
        u["UserPolicyList"] = inline(g, pools, 1, 2)
    u["AttachedManagedPolicies"] = att.some(0, 3) if not person or \
        g.chance(0.1) else []
    if not person and g.chance(0.01):
        u["AttachedManagedPolicies"].append(att.aws("AdministratorAccess"))
    if g.chance(0.1):
        u["PermissionsBoundary"] = att.boundary()
    u["Tags"] = tags(g, person)
    return u


def trust(kind, g):
    """A role's trust policy and the principal kind it trusts."""
    if kind == "sso":
        st = {"Effect": "Allow", "Principal": {
            "Federated": "arn:aws:iam::%s:saml-provider/AWSSSO_%s_DO_NOT_"
            "DELETE" % (ACCT, g.hexs(16))},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {
                "SAML:aud": "https://signin.aws.amazon.com/saml"}}}
    elif kind == "vendor":
        st = {"Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::%s:root" % g.pick(VENDOR_ACCTS + ORG_ACCTS)},
            "Action": "sts:AssumeRole"}
        if g.chance(0.7):
            st["Condition"] = {"StringEquals": {"sts:ExternalId":
                                                g.hexs(20)}}
    elif kind == "oidc":
        st = {"Effect": "Allow", "Principal": {
            "Federated": "arn:aws:iam::%s:oidc-provider/token.actions."
            "githubusercontent.com" % ACCT},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {
                "token.actions.githubusercontent.com:sub":
                "repo:%s/%s:*" % (CO, g.pick(APPS))},
                "StringEquals": {"token.actions.githubusercontent.com:aud":
                                 "sts.amazonaws.com"}}}
    else:
        st = {"Effect": "Allow", "Principal": {"Service": "%s.amazonaws.com"
                                               % kind},
              "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [st]}


ROLE_KINDS = [("sso", 0.01), ("linked", 0.015), ("vendor", 0.05),
              ("oidc", 0.1), ("ec2", 0.25), ("lambda", 0.3),
              ("ecs-tasks", 0.2), ("glue", 0.03), ("states", 0.025),
              ("bedrock", 0.02)]


def role_name(g, kind, i):
    if kind == "sso":
        return ("/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_%s_%s"
                % (g.pick(["AdministratorAccess", "ReadOnly", "DataAnalyst",
                           "PowerUser", "Billing"]) + str(i), g.hexs(16)))
    if kind == "linked":
        svc = g.pick(["ecs", "rds", "elasticloadbalancing", "support",
                      "autoscaling", "organizations"])
        return ("/aws-service-role/%s.amazonaws.com/" % svc,
                "AWSServiceRoleFor%s%d" % (svc.title(), i))
    if kind == "bedrock":
        return ("/service-role/", "AmazonBedrockExecutionRoleForAgents_%s-%d"
                % (g.pick(APPS), i))
    path = g.pick(["/", "/app/", "/%s/" % g.pick(TEAMS)]) \
        if kind != "vendor" else "/vendor/"
    return (path, "%s-%s-%s-%d" % (g.pick(TEAMS), g.pick(APPS),
                                   g.pick(WORDS), i))


def role_policies(g, pools, att, r, kind):
    if kind == "sso":
        r["AttachedManagedPolicies"] = [att.aws(g.pick(
            ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess",
             "ViewOnlyAccess"]))]
        return
    if kind == "linked":
        r["AttachedManagedPolicies"] = [att.aws(g.pick(
            ["AmazonECSServiceRolePolicy", "AWSSupportServiceRolePolicy"]))]
        return
    r["RolePolicyList"] = inline(g, pools, 1, 2) if g.chance(0.3) else []
    refs = att.some(1, 4)
    if kind == "lambda" and g.chance(0.6):
        refs.append(att.aws("AWSLambdaBasicExecutionRole"))
    if kind == "ec2" and g.chance(0.5):
        refs.append(att.aws("AmazonSSMManagedInstanceCore"))
    if kind == "ecs-tasks" and g.chance(0.5):
        refs.append(att.aws("AmazonECSTaskExecutionRolePolicy"))
    if g.chance(0.008):
        refs.append(att.aws("AdministratorAccess"))
    r["AttachedManagedPolicies"] = refs
    if g.chance(0.15):
        r["PermissionsBoundary"] = att.boundary()


def role(g, pools, att, i, kind, active):
    path, name = role_name(g, kind, i)
    r = {"Path": path, "RoleName": name, "RoleId": g.iam_id("AROA"),
         "Arn": "arn:aws:iam::%s:role%s%s" % (ACCT, path, name),
         "CreateDate": g.date(2019, 2026),
         "AssumeRolePolicyDocument": trust(
             "ecs" if kind == "linked" else kind, g),
         "InstanceProfileList": [], "RolePolicyList": []}
    if kind == "ec2":
        r["InstanceProfileList"] = [{
            "Path": path, "InstanceProfileName": name,
            "InstanceProfileId": g.iam_id("AIPA"),
            "Arn": "arn:aws:iam::%s:instance-profile%s%s" % (ACCT, path,
                                                             name),
            "CreateDate": r["CreateDate"],
            "Roles": [{k: r[k] for k in ("Path", "RoleName", "RoleId", "Arn",
                                         "CreateDate",
                                         "AssumeRolePolicyDocument")}]}]
    role_policies(g, pools, att, r, kind)
    r["Tags"] = tags(g, False)
    if active:
        r["RoleLastUsed"] = {"LastUsedDate": "2026-11-%02dT%02d:%02d:%02d"
                             "+00:00" % (g.between(25, 30),
                                         g.between(0, 23), g.between(0, 59),
                                         g.between(0, 59)),
                             "Region": g.pick(REGIONS)[0]}
    elif g.chance(0.5):
        r["RoleLastUsed"] = {"LastUsedDate": g.date(2024, 2026),
                             "Region": g.pick(REGIONS)[0]}
    else:
        r["RoleLastUsed"] = {}
    return r


def weighted_kind(g):
    x, acc = g.r.random(), 0.0
    for kind, w in ROLE_KINDS:
        acc += w
        if x < acc:
            return kind
    return ROLE_KINDS[-1][0]


def account(p):
    """The GAAD document and the identities CloudTrail will show."""
    g = Gen(p["seed"])
    pools = resource_pools(g)
    managed = aws_managed(g)
    policies = customer_policies(g, pools, p["policies"])
    att = Attach(g, policies, managed)
    grps = groups(g, pools, att, p["groups"])
    users = [user(g, pools, att, grps, i, g.chance(0.55))
             for i in range(p["users"])]
    roles = []
    for i in range(p["roles"]):
        kind = weighted_kind(g)
        roles.append((kind, role(g, pools, att, i, kind,
                                 g.chance(0.65))))
    gaad = {"UserDetailList": users, "GroupDetailList": grps,
            "RoleDetailList": [r for _, r in roles],
            "Policies": managed + policies, "IsTruncated": False}
    return gaad, pools, roles


# ---- CloudTrail ----------------------------------------------------------

UAS = {
    "cli": ["aws-cli/2.17.20 Python/3.11.9 Linux/6.1.0-23-amd64 "
            "exe/x86_64.debian.12 prompt/off command/%s",
            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 "
            "prompt/off command/%s"],
    "sdk": ["aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 "
            "OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 "
            "vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync "
            "http/Apache cfg/retry-mode/legacy",
            "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219 "
            "md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython "
            "exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
            "Botocore/1.34.144",
            "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux "
            "md/GOARCH#amd64 api/%s#1.30.3",
            "aws-sdk-nodejs/3.614.0 linux/v20.15.1 exec-env/AWS_Lambda_"
            "nodejs20.x api/%s#3.614.0"],
    "console": ["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) "
                "Gecko/20100101 Firefox/132.0",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
                "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
                "Safari/605.1.15"],
}

# CloudTrail's eventSource per service prefix where they differ.
SOURCES = {"cloudwatch": "monitoring"}
WRITES = ("Put", "Delete", "Update", "Send", "Create", "Batch", "Invoke",
          "Publish", "Initiate", "Complete", "Change", "Rotate",
          "Subscribe", "Encrypt", "Generate", "ReEncrypt")
DATA_EVENTS = {"s3", "dynamodb", "lambda", "sqs", "sns", "kinesis"}


def j(obj):
    return json.dumps(obj, separators=(",", ":"))


def request_params(svc, action, name, res_arn, g):
    if svc == "s3":
        key = "%s/%s/%04d.%s" % (g.pick(APPS), g.pick(ENVS),
                                 g.between(0, 199),
                                 g.pick(["json", "csv", "parquet", "pdf"]))
        p = {"bucketName": name, "Host": "%s.s3.amazonaws.com" % name}
        if action in ("GetObject", "PutObject", "DeleteObject",
                      "GetObjectVersion", "PutObjectTagging"):
            p["key"] = key
            return p, [{"accountId": ACCT, "type": "AWS::S3::Object",
                        "ARN": "%s/%s" % (res_arn, key)},
                       {"accountId": ACCT, "type": "AWS::S3::Bucket",
                        "ARN": res_arn}]
        return p, [{"accountId": ACCT, "type": "AWS::S3::Bucket",
                    "ARN": res_arn}]
    field, rtype = {
        "dynamodb": ("tableName", "AWS::DynamoDB::Table"),
        "sqs": ("queueUrl", "AWS::SQS::Queue"),
        "sns": ("topicArn", "AWS::SNS::Topic"),
        "lambda": ("functionName", "AWS::Lambda::Function"),
        "secretsmanager": ("secretId", None),
        "kms": ("keyId", "AWS::KMS::Key"),
        "logs": ("logGroupName", None),
        "ecr": ("repositoryName", None),
        "kinesis": ("streamName", "AWS::Kinesis::Stream"),
        "ssm": ("name", None),
        "glue": ("databaseName", None),
    }[svc]
    value = res_arn if svc in ("sns", "secretsmanager", "kms") else name
    if svc == "sqs":
        value = "https://sqs.us-east-1.amazonaws.com/%s/%s" % (ACCT, name)
    res = [{"accountId": ACCT, "type": rtype, "ARN": res_arn}] \
        if rtype else None
    return {field: value}, res


def combos_for(g, pools, policy_svcs, n):
    """What one caller does: (service, action, resource kind, name)."""
    out = []
    for _ in range(n):
        svc = g.pick(policy_svcs)
        kind, reads, writes = SERVICES[svc]
        act = g.pick(reads if g.chance(0.7) else writes)
        if act.endswith("*"):
            act = act[:-1]
        out.append((svc, act.split(":")[1], kind, g.pick(pools[kind])))
    return out


def identity_json(kind, ident, g):
    """userIdentity split around the session's creation date."""
    if kind == "role":
        sess = g.pick(["i-0%s" % g.hexs(16), g.hexs(32),
                       "botocore-session-%d" % g.between(10**9, 2 * 10**9),
                       "GitHubActions"])
        head = {"type": "AssumedRole",
                "principalId": "%s:%s" % (ident["RoleId"], sess),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (
                    ACCT, ident["RoleName"], sess),
                "accountId": ACCT, "accessKeyId": g.iam_id("ASIA")[:20]}
        issuer = {"type": "Role", "principalId": ident["RoleId"],
                  "arn": ident["Arn"], "accountId": ACCT,
                  "userName": ident["RoleName"]}
        text = j(dict(head, sessionContext={
            "sessionIssuer": issuer, "webIdFederationData": {},
            "attributes": {"creationDate": "@", "mfaAuthenticated":
                           "false"}}))
        a, b = text.split('"@"')
        return a + '"', '"' + b
    body = {"type": "IAMUser", "principalId": ident["UserId"],
            "arn": ident["Arn"], "accountId": ACCT,
            "accessKeyId": g.iam_id("AKIA")[:20],
            "userName": ident["UserName"]}
    return j(body), None


def event_template(g, pools, caller, combo, region, ip, ua):
    """A record as text parts around its time and two ids."""
    svc, action, kind, name = combo
    res_arn = arn(kind, name, region)
    params, resources = request_params(svc, action, name, res_arn, g)
    ident_a, ident_b = caller["ident"]
    denied = g.chance(0.015)
    ev = {"eventSource": "%s.amazonaws.com" % SOURCES.get(svc, svc),
          "eventName": action, "awsRegion": region,
          "sourceIPAddress": ip, "userAgent": ua.replace("%s", svc)}
    if denied:
        ev["errorCode"] = "AccessDenied"
        ev["errorMessage"] = ("User: %s is not authorized to perform: %s:%s "
                              "on resource: %s because no identity-based "
                              "policy allows the %s:%s action" % (
                                  caller["arn"], svc, action, res_arn,
                                  svc, action))
    ev["requestParameters"] = None if denied else params
    ev["responseElements"] = None
    mid = j(ev)[1:-1]
    tail = {"readOnly": not action.startswith(WRITES)}
    if resources and not denied:
        tail["resources"] = resources
    data = svc in DATA_EVENTS and svc != "sns"
    tail.update({"eventType": "AwsApiCall", "managementEvent": not data,
                 "recipientAccountId": ACCT,
                 "eventCategory": "Data" if data else "Management"})
    return [ident_a, ident_b, mid, j(tail)[1:-1]]


def login_template(g, caller, region, ip, ua):
    ok = g.chance(0.97)
    ident = {"type": "IAMUser", "principalId": caller["id"],
             "arn": caller["arn"], "accountId": ACCT,
             "userName": caller["name"]}
    mid = j({"eventSource": "signin.amazonaws.com",
             "eventName": "ConsoleLogin", "awsRegion": region,
             "sourceIPAddress": ip, "userAgent": ua,
             "requestParameters": None,
             "responseElements": {"ConsoleLogin": "Success" if ok
                                  else "Failure"},
             "additionalEventData": {
                 "LoginTo": "https://console.aws.amazon.com/console/home",
                 "MobileVersion": "No", "MFAUsed": g.pick(["Yes", "No"])}})
    tail = j({"readOnly": False, "eventType": "AwsConsoleSignIn",
              "managementEvent": True, "recipientAccountId": ACCT,
              "eventCategory": "Management"})
    return [j(ident), None, mid[1:-1], tail[1:-1]]


def assume_template(g, role, region, service, vendor):
    """An AWS service or a vendor account assuming one of the roles."""
    sess = g.hexs(12)
    if vendor:
        ident = {"type": "AWSAccount", "principalId": g.iam_id("AIDA"),
                 "accountId": vendor}
        ip, ua = "198.51.100.%d" % g.between(1, 254), g.pick(UAS["sdk"])
    else:
        ident = {"type": "AWSService", "invokedBy": service}
        ip = ua = service
    mid = j({"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
             "awsRegion": region, "sourceIPAddress": ip,
             "userAgent": ua.replace("%s", "sts"),
             "requestParameters": {"roleArn": role["Arn"],
                                   "roleSessionName": sess},
             "responseElements": {"credentials": {
                 "accessKeyId": g.iam_id("ASIA")[:20],
                 "sessionToken": "<redacted>",
                 "expiration": "2026-11-30T23:59:59+00:00"}}})
    tail = j({"readOnly": True, "resources": [{
        "accountId": ACCT, "type": "AWS::IAM::Role", "ARN": role["Arn"]}],
        "eventType": "AwsServiceEvent" if not vendor else "AwsApiCall",
        "managementEvent": True, "recipientAccountId": ACCT,
        "eventCategory": "Management"})
    return [j(ident), None, mid[1:-1], tail[1:-1]]


def policy_services(g):
    return g.some(list(SERVICES), 1, 4)


def activity_plan(p, gaad, pools, roles):
    """Per region: the record templates and their cumulative weights."""
    g = Gen(p["seed"] + 1)
    regions = [r for r, _ in REGIONS]
    plan = {r: ([], []) for r in regions}

    def add(region, parts, weight):
        tpl, cum = plan[region]
        tpl.append(parts)
        cum.append((cum[-1] if cum else 0.0) + weight)

    rank = 0
    for kind, r in roles:
        if "LastUsedDate" not in r["RoleLastUsed"] or \
                not r["RoleLastUsed"]["LastUsedDate"].startswith("2026-11"):
            continue
        rank += 1
        weight = 1.0 / (rank % 4000 + 20)
        home = r["RoleLastUsed"]["Region"]
        if kind in ("ec2", "lambda", "ecs-tasks", "glue", "states",
                    "bedrock") and g.chance(0.5):
            add(home, assume_template(g, r, home, kind + ".amazonaws.com",
                                      None), weight)
        if kind == "vendor":
            acct = g.pick(VENDOR_ACCTS)
            add(home, assume_template(g, r, home, None, acct), weight)
        if kind == "linked":
            continue
        caller = {"arn": r["Arn"], "ident": identity_json("role", r, g)}
        ip = "10.%d.%d.%d" % (g.between(0, 255), g.between(0, 255),
                              g.between(1, 254)) if g.chance(0.7) else \
            "3.%d.%d.%d" % (g.between(0, 255), g.between(0, 255),
                            g.between(1, 254))
        ua = g.pick(UAS["sdk"] if kind != "sso" else UAS["console"])
        svcs = policy_services(g)
        for combo in combos_for(g, pools, svcs, g.between(2, 10)):
            region = home if g.chance(0.85) else g.pick(regions)
            add(region, event_template(g, pools, caller, combo, region, ip,
                                       ua), weight)
    rank = 0
    for u in gaad["UserDetailList"]:
        person = any(t["Key"] == "Department" for t in u["Tags"])
        if not g.chance(0.6 if person else 0.45):
            continue
        rank += 1
        weight = 1.0 / (rank % 2000 + 40)
        home = g.pick(regions[:3])
        caller = {"arn": u["Arn"], "id": u["UserId"], "name": u["UserName"],
                  "ident": identity_json("user", u, g)}
        ip = "192.0.2.%d" % g.between(1, 254) if person else \
            "203.0.113.%d" % g.between(1, 254)
        if person:
            add(home, login_template(g, caller, home, ip,
                                     g.pick(UAS["console"])), weight)
        # A few people use a machine user's key from their laptop.
        ua = g.pick(UAS["cli"] if person or g.chance(0.03)
                    else UAS["sdk"])
        for combo in combos_for(g, pools, policy_services(g),
                                g.between(1, 6)):
            add(home, event_template(g, pools, caller, combo, home, ip, ua),
                weight * 0.5)
    return plan


# ---- writing the files ----------------------------------------------------

def split_records(p, plan):
    """(region, day, file number, records) for every file, with the
    records summing to p["records"] exactly."""
    g = Gen(p["seed"] + 2)
    cells = []
    for region, w in REGIONS:
        if not plan[region][0]:
            continue
        for day in range(1, p["days"] + 1):
            cells.append((region, day, w * g.r.uniform(0.8, 1.2)))
    wsum = sum(w for _, _, w in cells)
    exact = [p["records"] * w / wsum for _, _, w in cells]
    counts = [int(x) for x in exact]
    short = p["records"] - sum(counts)
    order = sorted(range(len(cells)), key=lambda i: counts[i] - exact[i])
    for i in order[:short]:
        counts[i] += 1
    tasks = []
    for (region, day, _), n in zip(cells, counts):
        files = max(1, math.ceil(n / p["per_file"]))
        for k in range(files):
            m = n // files + (1 if k < n % files else 0)
            if m:
                tasks.append((region, day, k, files, m))
    return tasks


_PLAN = None                    # the plan, shared with forked workers


def uuid_text(bits):
    h = "%032x" % bits
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20],
                                 h[20:])


def write_file(task):
    region, day, k, files, n = task
    seed, out = _PLAN["seed"], _PLAN["out"]
    r = random.Random("%d/%s/%d/%d" % (seed, region, day, k))
    tpl, cum = _PLAN["plan"][region]
    t0 = k * 1440 // files * 60
    minute = (k + 1) * 1440 // files - 1
    date = "2026-11-%02d" % day
    created = '"%sT%02d:%02d:00Z"' % (date, t0 // 3600, t0 // 60 % 60)
    picks = r.choices(tpl, cum_weights=cum, k=n)
    secs = sorted(r.randrange(t0, minute * 60 + 60) for _ in range(n))
    getbits = r.getrandbits
    parts = ['{"Records":[']
    for i, (a, b, mid, tail) in enumerate(picks):
        s = secs[i]
        when = '%sT%02d:%02d:%02dZ' % (date, s // 3600, s // 60 % 60, s % 60)
        ident = a + created[1:-1] + b if b is not None else a
        parts.append('%s{"eventVersion":"1.10","userIdentity":%s,'
                     '"eventTime":"%s",%s,"requestID":"%s","eventID":"%s",'
                     '%s}' % ("," if i else "", ident, when, mid,
                              uuid_text(getbits(128)),
                              uuid_text(getbits(128)), tail))
    parts.append("]}")
    folder = os.path.join(out, "AWSLogs", ACCT, "CloudTrail", region,
                          "2026", "11", "%02d" % day)
    os.makedirs(folder, exist_ok=True)
    name = "%s_CloudTrail_%s_%sT%02d%02dZ_%s.json.gz" % (
        ACCT, region, date.replace("-", ""), minute // 60, minute % 60,
        "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                         "wxyz0123456789") for _ in range(16)))
    with gzip.GzipFile(os.path.join(folder, name), "wb", compresslevel=1,
                       mtime=0) as f:
        f.write("".join(parts).encode())
    return n


def write_cloudtrail(p, plan, out):
    global _PLAN
    tasks = split_records(p, plan)
    _PLAN = {"seed": p["seed"], "out": out, "plan": plan}
    done = 0
    procs = os.cpu_count() or 2
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs) as pool:
        for n in pool.imap_unordered(write_file, tasks, chunksize=8):
            done += n
            if sys.stderr.isatty() and done % 100000 < n:
                sys.stderr.write("\rgen: %d/%d records" % (done,
                                                          p["records"]))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    return len(tasks)


def generate(p, folder):
    t = time.time()
    gaad, pools, roles = account(p)
    with open(os.path.join(folder, "gaad.json"), "w") as f:
        json.dump(gaad, f, indent=4)
    plan = activity_plan(p, gaad, pools, roles)
    files = write_cloudtrail(p, plan, os.path.join(folder, "cloudtrail"))
    manifest = dict(p, files=files, identities=len(roles) + p["users"],
                    seconds=round(time.time() - t, 1))
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--root", default=None)
    opt = ap.parse_args()
    p = params(opt.scale)
    root = cache_root(opt.root)
    # One folder per scale, so a small trial run keeps the full data.
    prefix = "s%g-" % opt.scale
    folder = os.path.join(root, prefix + stamp(p))
    if not os.path.exists(os.path.join(folder, "manifest.json")):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        sys.stderr.write("gen: writing %d roles, %d users, %d policies and "
                         "%d CloudTrail records to %s\n" % (
                             p["roles"], p["users"], p["policies"],
                             p["records"], folder))
        generate(p, folder)
    for old in os.listdir(root):
        if old.startswith(prefix) and old != os.path.basename(folder):
            shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    print(folder)


if __name__ == "__main__":
    main()
