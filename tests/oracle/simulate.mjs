// How a case of oracle.mjs is put to @cloud-copilot/iam-simulate, and
// where that package is installed: shared by the differential test's
// generator and the engine benchmark (tests/bench/bench_simulate.mjs).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ORACLE = '@cloud-copilot/iam-simulate';
export const ORACLE_VERSION = '0.1.173';

export function cacheDir() {
  const dir = process.env.NHI_ORACLE_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
         'nhiscope-oracle');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// The module's entry point once installed into dir.
export function oracleEntry(dir) {
  return join(dir, 'node_modules', ORACLE, 'dist', 'esm', 'index.js');
}

// The simulation request iam-simulate takes for case c.
export function simulation(c) {
  const sim = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context,
    },
    identityPolicies: c.identity.map((p, i) => ({ name: `id${i}`,
                                                  policy: p })),
    serviceControlPolicies: c.scps.map((level, i) => ({
      orgIdentifier: i === 0 ? 'r-root' : `ou-level${i}`,
      policies: level.map((p, k) => ({ name: `scp${i}-${k}`, policy: p })),
    })),
    resourceControlPolicies: [],
  };
  if (c.boundary)
    sim.permissionBoundaryPolicies = [{ name: 'boundary',
                                        policy: c.boundary }];
  if (c.resourcePolicy)
    sim.resourcePolicy = c.resourcePolicy;
  return sim;
}

const RESULTS = {
  Allowed: 'allow', ExplicitlyDenied: 'deny',
  ImplicitlyDenied: 'implicit-deny',
};

// iam-simulate's answer to one simulation, in nhiscope's words.
export async function decideSimulation(runSimulation, sim) {
  const res = await runSimulation(sim, {});
  return res.resultType === 'error' ? 'error'
    : RESULTS[res.overallResult] || `unknown:${res.overallResult}`;
}

export async function decide(runSimulation, c) {
  return decideSimulation(runSimulation, simulation(c));
}
