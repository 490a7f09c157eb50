// System: the shipped roles, read against what every scenario of the suite asked the emulator to authorise.
// Runs last (test/system/sequencer.cjs): the other files' accounts left their decisions in FIREBREAK_SYSTEM_AUDIT_DIR.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asList, FUNCTION_NAMES, functionLogicalId, roleStatements, type Resource } from '../packaging/serverless';
import type { Authorisation } from './emulator/moto';
import { packagedTemplate } from './stack/packaged';

type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Permissions a role ships that no scenario exercises in the emulator, each with the code path that
 * uses it. Everything else a role grants must have been used by its function at least once.
 */
const USED_OUTSIDE_THE_SCENARIOS: readonly { action: string; functions: readonly FunctionName[]; usedBy: string }[] = [
  { action: 'kms:Decrypt', functions: FUNCTION_NAMES, usedBy: 'SSM decrypting SecureString parameters with KMS on the caller’s behalf; the emulator’s SSM calls no KMS' },
  { action: 'eks:DescribeCluster', functions: ['scaleDeployment', 'respond'], usedBy: 'reaching the Kubernetes API through EKS IAM auth; the suite reaches it through KUBECONFIG (DESIGN.md)' },
  { action: 'eks:UpdateNodegroupConfig', functions: ['scaleNodegroup', 'respond'], usedBy: 'node-group targets with "mode": "nodegroup"; every stage policy names "asg" targets' },
  { action: 'dynamodb:DeleteItem', functions: ['scaleNodegroup'], usedBy: 'forgetting the message of an action that failed midway; the suite fails one through scaleDeployment, the same engine under the same statement' },
  { action: 'sqs:SendMessage', functions: ['scaleNodegroup', 'scaleDeployment', 'forwardLogs', 'slackActions'], usedBy: 'Lambda’s on-failure destination; the suite exhausts the retries of notify and respond' },
];

const declared = (name: FunctionName, action: string): boolean => USED_OUTSIDE_THE_SCENARIOS.some((d) => d.action === action && d.functions.includes(name));

function authorisations(): Authorisation[] {
  const directory = process.env.FIREBREAK_SYSTEM_AUDIT_DIR;
  if (!directory) throw new Error('FIREBREAK_SYSTEM_AUDIT_DIR is not set: run the whole system suite with `npm run test:system`');
  const files = readdirSync(directory).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error('no scenario file left its authorisations: run the whole system suite with `npm run test:system`');
  return files.flatMap((f) => JSON.parse(readFileSync(join(directory, f), 'utf8')) as Authorisation[]);
}

const template = packagedTemplate();
const decisions = authorisations();

/** The role a function runs under, as the template names it. */
function roleOf(name: (typeof FUNCTION_NAMES)[number]): { logicalId: string; role: Resource } {
  const fn = template.Resources[functionLogicalId(name)]!;
  const logicalId = String((fn.Properties.Role as unknown as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
  return { logicalId, role: template.Resources[logicalId]! };
}

describe('the shipped roles, under IAM enforcement', () => {
  it('were never refused anything in any scenario (zero AccessDenied)', () => {
    const denied = decisions.filter((d) => !d.allowed).map((d) => `${d.principal} ${d.action} ${d.resource}`);
    expect(denied).toEqual([]);
  });

  it.each(FUNCTION_NAMES)('%s: every action its role grants was used, or is declared used outside the scenarios', (name) => {
    const { logicalId, role } = roleOf(name);
    const roleName = String(role.Properties.RoleName);
    const used = new Set(decisions.filter((d) => d.allowed && d.principal.includes(`:assumed-role/${roleName}/`)).map((d) => d.action));
    expect(used.size).toBeGreaterThan(0);
    const granted = new Set(roleStatements(role).flatMap((s) => asList(s.Action)));
    const unused = [...granted].filter((action) => !used.has(action) && !declared(name, action));
    expect({ role: logicalId, unused }).toEqual({ role: logicalId, unused: [] });
  });

  it('declares as used elsewhere only what a role grants and its scenarios did not use', () => {
    for (const { action, functions } of USED_OUTSIDE_THE_SCENARIOS) {
      for (const name of functions) {
        const granted = roleStatements(roleOf(name).role).flatMap((s) => asList(s.Action));
        const roleName = String(roleOf(name).role.Properties.RoleName);
        const used = decisions.some((d) => d.allowed && d.action === action && d.principal.includes(`:assumed-role/${roleName}/`));
        expect({ name, action, granted: granted.includes(action), used }).toEqual({ name, action, granted: true, used: false });
      }
    }
  });
});
