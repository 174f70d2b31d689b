#!/usr/bin/env node
// @cloud-copilot/iam-simulate's decisions per second on the differential
// test's cases, the JavaScript side of the engine benchmark (the C side
// is tests/bench/bench_engine.c, on the same file).
//
//   node tests/bench/bench_simulate.mjs CASES.jsonl [SECONDS]
//
// The package is the one tests/oracle/oracle.mjs installed (it printed
// the cases file's path, so it is there). The simulation requests are
// built before timing; one untimed pass warms the JIT and checks each
// answer against the one recorded in the file. Then whole passes over
// the cases run in this process until SECONDS (default 3) have gone by.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { cacheDir, decideSimulation, oracleEntry, simulation }
  from '../oracle/simulate.mjs';

async function main() {
  const [path, secsArg] = process.argv.slice(2);
  const secs = Number(secsArg || 3);
  if (!path || !(secs > 0)) {
    process.stderr.write('usage: bench_simulate.mjs CASES.jsonl ' +
                         '[SECONDS]\n');
    process.exit(2);
  }
  const { runSimulation } =
    await import(pathToFileURL(oracleEntry(cacheDir())).href);
  const cases = readFileSync(path, 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((c) => c.oracle && c.oracle !== 'error');
  const sims = cases.map(simulation);
  let bad = 0;
  for (let i = 0; i < sims.length; i++)
    if (await decideSimulation(runSimulation, sims[i]) !== cases[i].oracle)
      bad++;
  if (bad) {
    process.stderr.write(`bench_simulate: ${bad} answers differ from ` +
                         'the recorded ones\n');
    process.exit(1);
  }
  let decisions = 0, passes = 0, elapsed = 0;
  const start = process.hrtime.bigint();
  do {
    for (const sim of sims)
      await runSimulation(sim, {});
    decisions += sims.length;
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < secs);
  process.stdout.write(`cases           ${sims.length}\n`);
  process.stdout.write(`iam-simulate    ${Math.round(decisions / elapsed)
    .toString().padStart(12)} decisions/s  (${passes} passes, ` +
    `${decisions} decisions, ${elapsed.toFixed(2)} s)\n`);
}

main().catch((err) => {
  process.stderr.write(`bench_simulate: ${err.stack || err}\n`);
  process.exit(2);
});
