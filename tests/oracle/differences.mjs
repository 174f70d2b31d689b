// The documented differences between nhiscope's engine and the oracle
// (DIFFERENCES.md). Each one recognises the cases it applies to and
// rewrites such a case into one where both read the policies the same
// way, as nhiscope reads them; the oracle's answer to the rewritten case
// is what the differential test asserts nhiscope answers.

const clone = (x) => JSON.parse(JSON.stringify(x));

function statements(policy) {
  if (!policy) return [];
  return Array.isArray(policy.Statement) ? policy.Statement
                                         : [policy.Statement];
}

function allPolicies(c) {
  return [...c.identity, c.boundary, c.resourcePolicy, ...c.scps.flat()]
    .filter(Boolean);
}

const list = (v) => (Array.isArray(v) ? v : [v]);

// A role's trust policy must allow sts:AssumeRole. The oracle, given no
// trust policy, lets the identity-based policies decide alone; nhiscope
// reads a missing trust policy as one that allows nothing.
const trustPolicyRequired = {
  id: 'missing-trust-policy',
  applies: (c) => c.action === 'sts:AssumeRole' && !c.resourcePolicy,
  rewrite: (c) => {
    c.resourcePolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow',
                    Principal: { Service: 'nothing.amazonaws.com' },
                    Action: 'sts:AssumeRole' }],
    };
  },
};

// Whether a NotPrincipal element lists the request's principal, by ARN
// or through its account.
function lists(notPrincipal, c) {
  const aws = list(notPrincipal.AWS || []);
  return notPrincipal === '*' || aws.includes('*') ||
    aws.includes(c.principal) || aws.includes(c.principalAccount) ||
    aws.includes(`arn:aws:iam::${c.principalAccount}:root`);
}

// With a permissions boundary present, the oracle applies NotPrincipal
// statements of the resource policy even to the principals they list.
// nhiscope leaves a listed principal out, boundary or not.
const notPrincipalWithBoundary = {
  id: 'notprincipal-with-boundary',
  applies: (c) => c.boundary &&
    statements(c.resourcePolicy).some((s) => s.NotPrincipal),
  rewrite: (c) => {
    const kept = [];
    for (const s of statements(c.resourcePolicy)) {
      if (!s.NotPrincipal) {
        kept.push(s);
        continue;
      }
      if (lists(s.NotPrincipal, c))
        continue;
      const named = { ...s, Principal: { AWS: c.principal } };
      delete named.NotPrincipal;
      kept.push(named);
    }
    c.resourcePolicy.Statement = kept;
    if (!kept.length) c.resourcePolicy = null;
  },
};

function variableKeys(pattern) {
  return [...pattern.matchAll(/\$\{([^}]*)\}/g)]
    .filter((m) => !m[1].includes(','))
    .map((m) => m[1].trim().toLowerCase());
}

function unresolved(c, s) {
  if (!s.NotResource) return false;
  const known = new Set(Object.keys(c.context).map((k) => k.toLowerCase()));
  return list(s.NotResource).some((p) =>
    variableKeys(p).some((k) => !['*', '?', '$'].includes(k) &&
                                !known.has(k)));
}

// AWS: a variable that cannot be resolved may make the whole statement
// invalid. nhiscope drops a statement whose NotResource holds one; the
// oracle drops it only when the pattern names the request's service.
const unresolvedNotResource = {
  id: 'unresolved-variable-in-notresource',
  applies: (c) => allPolicies(c).some((p) =>
    statements(p).some((s) => unresolved(c, s))),
  rewrite: (c) => {
    for (const p of allPolicies(c))
      p.Statement = statements(p).filter((s) => !unresolved(c, s));
  },
};

const DIFFERENCES = [trustPolicyRequired, notPrincipalWithBoundary,
                     unresolvedNotResource];

// The differences that apply to c, and c rewritten as nhiscope reads it
// (null when none applies).
export function classify(c) {
  const found = DIFFERENCES.filter((d) => d.applies(c));
  if (!found.length) return { difference: null, rewritten: null };
  const rewritten = clone(c);
  for (const d of found) d.rewrite(rewritten);
  return { difference: found.map((d) => d.id).join('+'), rewritten };
}
