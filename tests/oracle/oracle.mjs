#!/usr/bin/env node
// The differential test's cases: generates random but meaningful policy
// sets and requests, asks @cloud-copilot/iam-simulate for its decision
// on each, and writes them as JSON lines for tests/unit/test_aws_oracle.c
// to replay through nhiscope's engine.
//
//   node tests/oracle/oracle.mjs [--count N] [--out FILE]
//
// iam-simulate is AGPL-licensed: it is installed with npm into a cache
// folder outside the repository ($NHI_ORACLE_CACHE, default
// ~/.cache/nhiscope-oracle) and only ever run as a separate program.
// The cases file is kept there too and reused while this script, the
// modules it imports, the count and the oracle's version stay the same.
// Prints the file's path.
// Exit status 3 means the oracle could not be installed (no network).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync,
         writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { classify } from './differences.mjs';
import { ORACLE, ORACLE_VERSION, cacheDir, decide, oracleEntry }
  from './simulate.mjs';

const ACCT = '111122223333';
const OTHER = '444455556666';

function args() {
  const out = { count: 12000, file: null };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--count') out.count = Number(a[++i]);
    else if (a[i] === '--out') out.file = a[++i];
    else throw new Error(`unknown argument '${a[i]}'`);
  }
  return out;
}

// Installs the oracle into dir unless the pinned version is there.
function installOracle(dir) {
  const pkg = join(dir, 'node_modules', ORACLE, 'package.json');
  if (existsSync(pkg) &&
      JSON.parse(readFileSync(pkg, 'utf8')).version === ORACLE_VERSION)
    return;
  try {
    execFileSync('npm', ['install', '--prefix', dir, '--no-save',
                         '--no-audit', '--no-fund',
                         `${ORACLE}@${ORACLE_VERSION}`],
                 { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const why = String(err.stderr || err.message).trim().split('\n')[0];
    process.stderr.write(`oracle: cannot install ${ORACLE}: ${why}\n`);
    process.exit(3);
  }
}

// mulberry32: a small seeded generator, so the cases are reproducible.
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const some = (list, min, max) => {
    const n = min + Math.floor(next() * (max - min + 1));
    return Array.from({ length: n }, () => pick(list));
  };
  return { next, pick, chance, some };
}

// Actions with a resource of the type they act on. rp says which
// resource-based policy exists for it: optional (S3, SQS...), required
// (KMS key policy, role trust policy) or none.
const TARGETS = [
  ['s3:GetObject', (a) => 'arn:aws:s3:::data-bucket/reports/q1.csv', 'opt'],
  ['s3:PutObject', (a) => 'arn:aws:s3:::data-bucket/home/alice/x', 'opt'],
  ['s3:DeleteObject', (a) => 'arn:aws:s3:::logs-bucket/2026/01/a.gz',
   'opt'],
  ['s3:ListBucket', (a) => 'arn:aws:s3:::data-bucket', 'opt'],
  ['s3:GetBucketPolicy', (a) => 'arn:aws:s3:::logs-bucket', 'opt'],
  ['s3:ListAllMyBuckets', (a) => '*', 'none'],
  ['iam:PassRole', (a) => `arn:aws:iam::${a}:role/app-deployer`, 'none'],
  ['iam:GetRole', (a) => `arn:aws:iam::${a}:role/ops/admin`, 'none'],
  ['iam:PutRolePolicy', (a) => `arn:aws:iam::${a}:role/app-deployer`,
   'none'],
  ['iam:CreateUser', (a) => `arn:aws:iam::${a}:user/new-user`, 'none'],
  ['iam:CreateAccessKey', (a) => `arn:aws:iam::${a}:user/alice`, 'none'],
  ['sqs:SendMessage', (a) => `arn:aws:sqs:us-east-1:${a}:jobs`, 'opt'],
  ['sqs:DeleteQueue', (a) => `arn:aws:sqs:eu-west-1:${a}:jobs-dlq`, 'opt'],
  ['dynamodb:GetItem', (a) => `arn:aws:dynamodb:us-east-1:${a}:table/users`,
   'none'],
  ['dynamodb:PutItem', (a) => `arn:aws:dynamodb:us-east-1:${a}:table/users`,
   'none'],
  ['lambda:InvokeFunction',
   (a) => `arn:aws:lambda:us-east-1:${a}:function:report`, 'opt'],
  ['ec2:TerminateInstances',
   (a) => `arn:aws:ec2:us-east-1:${a}:instance/i-0abc`, 'none'],
  ['secretsmanager:GetSecretValue',
   (a) => `arn:aws:secretsmanager:us-east-1:${a}:secret:db-AbCdEf`, 'opt'],
  ['kms:Decrypt', (a) => `arn:aws:kms:us-east-1:${a}:key/1234abcd`, 'req'],
  ['sts:AssumeRole', (a) => `arn:aws:iam::${a}:role/app-deployer`, 'req'],
];

const CONTEXT = {
  'aws:SourceIp': ['10.1.2.3', '203.0.113.7', '2001:db8::5'],
  'aws:MultiFactorAuthPresent': ['true', 'false'],
  'aws:PrincipalTag/team': ['data', 'ops'],
  'aws:RequestedRegion': ['us-east-1', 'eu-west-1'],
  'aws:CurrentTime': ['2026-06-01T00:00:00Z', '2027-06-01T00:00:00Z'],
  'aws:TagKeys': [['env', 'team'], ['env']],
  'aws:MultiFactorAuthAge': ['300', '7200'],
  'aws:SecureTransport': ['true', 'false'],
};

const CONDITIONS = [
  ['StringEquals', 'aws:PrincipalTag/team', ['data']],
  ['StringEquals', 'aws:PrincipalTag/team', ['ops', 'data']],
  ['StringNotEquals', 'aws:PrincipalTag/team', ['data']],
  ['StringNotEquals', 'aws:PrincipalTag/team', ['data', 'ops']],
  ['StringLike', 'aws:PrincipalArn', [`arn:aws:iam::${ACCT}:user/*`]],
  ['StringNotLike', 'aws:PrincipalArn', ['*:role/*']],
  ['StringEqualsIgnoreCase', 'aws:RequestedRegion', ['US-EAST-1']],
  ['StringEqualsIfExists', 'aws:RequestedRegion', ['us-east-1']],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8']],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32']],
  ['NotIpAddress', 'aws:SourceIp', ['203.0.113.0/24']],
  ['Bool', 'aws:MultiFactorAuthPresent', ['true']],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', ['false']],
  ['Bool', 'aws:SecureTransport', ['false']],
  ['NumericLessThan', 'aws:MultiFactorAuthAge', ['3600']],
  ['NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', ['3600']],
  ['DateLessThan', 'aws:CurrentTime', ['2027-01-01T00:00:00Z']],
  ['DateGreaterThan', 'aws:CurrentTime', ['2026-01-01T00:00:00Z']],
  ['Null', 'aws:MultiFactorAuthPresent', ['true']],
  ['Null', 'aws:SourceIp', ['false']],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['team']],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'cost']],
  ['ForAllValues:StringLike', 'aws:TagKeys', ['e*']],
  ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/*']],
  ['ArnNotEquals', 'aws:PrincipalArn', [`arn:aws:iam::${ACCT}:user/alice`]],
];

// Case changes and single wildcards IAM must see through.
function mangleAction(r, action) {
  const [svc, name] = action.split(':');
  switch (Math.floor(r.next() * 6)) {
    case 0: return action.toLowerCase();
    case 1: return `${svc}:${name.slice(0, 3)}*`;
    case 2: {
      const i = 1 + Math.floor(r.next() * (name.length - 1));
      return `${svc}:${name.slice(0, i)}?${name.slice(i + 1)}`;
    }
    case 3: return `${svc.toUpperCase()}:${name}`;
    default: return action;
  }
}

function actionPattern(r, target) {
  switch (Math.floor(r.next() * 7)) {
    case 0: return target[0];
    case 1: return mangleAction(r, target[0]);
    case 2: return `${target[0].split(':')[0]}:*`;
    case 3: return '*';
    case 4: return r.pick(TARGETS)[0];
    case 5: return mangleAction(r, r.pick(TARGETS)[0]);
    default: return `${target[0].split(':')[0]}:Describe*`;
  }
}

// Resource patterns around the target's ARN: exact, wildcards within and
// across segments, policy variables, other resources.
function resourcePattern(r, arn) {
  if (arn === '*')
    return r.pick(['*', 'arn:aws:s3:::*']);
  const parts = arn.split(':');
  switch (Math.floor(r.next() * 10)) {
    case 0: return '*';
    case 1: return arn;
    case 2: return arn.replace(/[^/:]*$/, '*');
    case 3: return [...parts.slice(0, 3), '*', ...parts.slice(4)].join(':');
    case 4: return [...parts.slice(0, 4), '*', ...parts.slice(5)].join(':');
    case 5: return `${parts.slice(0, 3).join(':')}:*`;
    case 6: return arn.replace(/.$/, '?');
    case 7: return arn.replace(/[^/:]+$/, '${aws:username}');
    case 8: return r.pick(TARGETS)[1](r.pick([ACCT, OTHER]));
    default: return arn.replace(/[a-z]-/, 'x-');
  }
}

function condition(r) {
  const [op, key, values] = r.pick(CONDITIONS);
  return { [op]: { [key]: values.length === 1 && r.chance(0.5) ? values[0]
                                                            : values } };
}

function principalElement(r, c) {
  switch (Math.floor(r.next() * 8)) {
    case 0: return '*';
    case 1: return { AWS: c.principal };
    case 2: return { AWS: c.principalAccount };
    case 3: return { AWS: `arn:aws:iam::${c.principalAccount}:root` };
    case 4: return { AWS: `arn:aws:iam::${OTHER}:root` };
    case 5: return { AWS: [c.principal, `arn:aws:iam::${OTHER}:root`] };
    case 6: return { Service: 'ec2.amazonaws.com' };
    default: return { AWS: `arn:aws:iam::${ACCT}:role/someone-else` };
  }
}

function statement(r, c, target, withPrincipal) {
  const st = { Effect: r.chance(0.7) ? 'Allow' : 'Deny' };
  if (r.chance(0.3)) st.Sid = `S${Math.floor(r.next() * 1000)}`;
  if (withPrincipal) {
    if (r.chance(0.1)) st.NotPrincipal = principalElement(r, c);
    else st.Principal = principalElement(r, c);
  }
  const actions = Array.from({ length: 1 + Math.floor(r.next() * 3) },
                             () => actionPattern(r, target));
  st[r.chance(0.15) ? 'NotAction' : 'Action'] =
    actions.length === 1 && r.chance(0.5) ? actions[0] : actions;
  const resources = Array.from({ length: 1 + Math.floor(r.next() * 2) },
                               () => resourcePattern(r, c.resource));
  st[r.chance(0.1) ? 'NotResource' : 'Resource'] =
    resources.length === 1 && r.chance(0.5) ? resources[0] : resources;
  if (r.chance(0.35)) st.Condition = condition(r);
  if (r.chance(0.1)) Object.assign(st.Condition || (st.Condition = {}),
                                   condition(r));
  return st;
}

function policy(r, c, target, n, withPrincipal) {
  return {
    Version: '2012-10-17',
    Statement: Array.from({ length: n }, () =>
      statement(r, c, target, withPrincipal)),
  };
}

const FULL_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

function scpLevels(r, c, target) {
  if (!r.chance(0.2)) return [];
  return Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => {
    const level = [];
    if (r.chance(0.7)) level.push(FULL_ACCESS);
    level.push(policy(r, c, target, 1 + Math.floor(r.next() * 2), false));
    return level;
  });
}

function context(r, c) {
  const ctx = {};
  for (const [key, values] of Object.entries(CONTEXT))
    if (r.chance(0.5)) ctx[key] = r.pick(values);
  if (r.chance(0.6)) ctx['aws:PrincipalArn'] = c.principal;
  if (!c.role && r.chance(0.6)) ctx['aws:username'] = 'alice';
  return ctx;
}

function makeCase(r, id) {
  const target = r.pick(TARGETS);
  const role = r.chance(0.4);
  const c = {
    id,
    principal: role ? `arn:aws:iam::${ACCT}:role/app`
                    : `arn:aws:iam::${ACCT}:user/alice`,
    principalAccount: ACCT,
    role,
    action: target[0],
    resourceAccount: target[2] !== 'none' && r.chance(0.25) ? OTHER : ACCT,
  };
  c.resource = target[1](c.resourceAccount);
  c.context = context(r, c);
  c.identity = Array.from({ length: Math.floor(r.next() * 3) + 1 }, () =>
    policy(r, c, target, 1 + Math.floor(r.next() * 3), false));
  c.boundary = r.chance(0.25) ? policy(r, c, target, 1 + Math.floor(
    r.next() * 2), false) : null;
  c.scps = scpLevels(r, c, target);
  c.resourceKind = target[2] === 'req' ? 'required' : 'optional';
  c.resourcePolicy = target[2] !== 'none' && r.chance(0.5)
    ? policy(r, c, target, 1 + Math.floor(r.next() * 3), true) : null;
  return c;
}

async function main() {
  const opt = args();
  const dir = cacheDir();
  const self = readFileSync(fileURLToPath(import.meta.url));
  const diff = readFileSync(new URL('./differences.mjs', import.meta.url));
  const sim = readFileSync(new URL('./simulate.mjs', import.meta.url));
  const stamp = createHash('sha256').update(self).update(diff).update(sim)
    .update(`${ORACLE_VERSION} ${opt.count}`).digest('hex').slice(0, 16);
  const file = opt.file || join(dir, `cases-${stamp}.jsonl`);
  if (!opt.file && existsSync(file)) {
    process.stdout.write(`${file}\n`);
    return;
  }
  installOracle(dir);
  const { runSimulation } =
    await import(pathToFileURL(oracleEntry(dir)).href);
  const r = rng(20261201);
  const lines = [];
  for (let id = 1; id <= opt.count; id++) {
    const c = makeCase(r, id);
    c.oracle = await decide(runSimulation, c);
    const { difference, rewritten } = classify(c);
    c.difference = difference;
    c.engine_expect = rewritten ? await decide(runSimulation, rewritten)
                                : null;
    lines.push(JSON.stringify(c));
  }
  writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  renameSync(`${file}.tmp`, file);
  for (const old of readdirSync(dir))
    if (/^cases-.*\.jsonl$/.test(old) && join(dir, old) !== file)
      unlinkSync(join(dir, old));
  process.stdout.write(`${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`oracle: ${err.stack || err}\n`);
  process.exit(2);
});
