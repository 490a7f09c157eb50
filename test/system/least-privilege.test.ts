// System: the shipped roles, read against what every scenario of the suite asked the emulator to authorise.
// Runs last (test/system/sequencer.cjs): the other files' accounts left their decisions in FIREBREAK_SYSTEM_AUDIT_DIR.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asList, FUNCTION_NAMES, functionLogicalId, roleStatements, type Resource } from '../packaging/serverless';
import type { Authorisation } from './emulator/moto';
import { packagedTemplate } from './stack/packaged';

/**
 * Permissions a role ships that no scenario can exercise in the emulator, each with where it is used.
 * Everything else a role grants must have been used by its function at least once.
 */
const USED_OUTSIDE_THE_EMULATOR: Readonly<Record<string, string>> = {
  'kms:Decrypt': 'SSM decrypts SecureString parameters with KMS on the caller’s behalf; the emulator’s SSM calls no KMS',
  'eks:DescribeCluster': 'reaching the Kubernetes API through EKS IAM auth; the suite reaches it through KUBECONFIG (DESIGN.md)',
};

/** `sqs:SendMessage` to the dead-letter queue is Lambda's on-failure destination: the suite drives a failure through notify only. */
const ON_FAILURE_DESTINATION = 'sqs:SendMessage';

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

  it.each(FUNCTION_NAMES)('%s: every action its role grants was used, or is declared used outside the emulator', (name) => {
    const { logicalId, role } = roleOf(name);
    const roleName = String(role.Properties.RoleName);
    const used = new Set(decisions.filter((d) => d.allowed && d.principal.includes(`:assumed-role/${roleName}/`)).map((d) => d.action));
    expect(used.size).toBeGreaterThan(0);
    const granted = new Set(roleStatements(role).flatMap((s) => asList(s.Action)));
    const unused = [...granted].filter((action) => !used.has(action) && !(action in USED_OUTSIDE_THE_EMULATOR) && !(action === ON_FAILURE_DESTINATION && name !== 'notify'));
    expect({ role: logicalId, unused }).toEqual({ role: logicalId, unused: [] });
  });

  it('the on-failure destination was reached under a function role (the dead-letter scenario)', () => {
    expect(decisions.some((d) => d.allowed && d.action === ON_FAILURE_DESTINATION && d.principal.includes('-notify-'))).toBe(true);
  });
});
