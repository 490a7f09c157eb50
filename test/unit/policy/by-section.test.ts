// A function's policy: the top level checked at once, each section when first read, with the errors of the whole-document check.
import { ConfigError } from '../../../shared/errors';
import { stageDocument } from '../../../shared/policy/load';
import { parsePolicy, parsePolicyBySection } from '../../../shared/policy/parse-policy';
import { POLICY_SECTIONS, type PolicySection } from '../../../shared/policy/schema';

const SECTIONS = Object.keys(POLICY_SECTIONS) as PolicySection[];
type Document = Record<string, unknown> & { remediation: { budget: Record<string, unknown> }; notify: { routes: { channels: string[] }[] } };
const stage = (name: 'local' | 'dev' | 'prod'): Document => structuredClone(stageDocument(name)) as Document;

/** The message a parse throws, for comparing the two ways of validating. */
function thrown(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the parse to throw');
}

it.each(['local', 'dev', 'prod'] as const)('gives every section of the %s policy exactly as the whole-document check does', (name) => {
  const whole = parsePolicy(stage(name));
  const bySection = parsePolicyBySection(stage(name));
  for (const section of SECTIONS) expect({ section, value: bySection[section] }).toEqual({ section, value: whole[section] });
  expect(bySection.version).toBe(1);
});

it('lets the other sections be read when one is bad, and throws the same error as the whole check when that one is read', () => {
  const bad = stage('prod');
  bad.remediation.budget.global = -1;

  const policy = parsePolicyBySection(bad, 'policy for stage prod');

  expect(policy.notify.defaultRoute.channels.length).toBeGreaterThan(0);
  expect(policy.responder).toBeDefined();
  const message = thrown(() => policy.remediation);
  expect(message).toBe(thrown(() => parsePolicy(bad, 'policy for stage prod')));
  expect(message).toMatch(/^Invalid policy for stage prod: remediation\.budget\.global: /);
  // Still refused on the next read: a bad section never becomes readable.
  expect(() => policy.remediation).toThrow(message);
});

it('names the field of a bad notify section by its path in the document', () => {
  const bad = stage('dev');
  bad.notify.routes[1]!.channels[0] = 'pager';
  expect(() => parsePolicyBySection(bad).notify).toThrow(/notify\.routes\.1\.channels\.0/);
});

it('refuses at once a document whose top level is wrong: version, an unknown section, no notify section', () => {
  expect(() => parsePolicyBySection({ ...stage('dev'), version: 2 })).toThrow(/version: /);
  expect(() => parsePolicyBySection({ ...stage('dev'), remediaton: {} })).toThrow(/Unrecognized key: "remediaton"/);
  expect(() => parsePolicyBySection('not a policy')).toThrow(ConfigError);
  const { notify: _notify, ...withoutNotify } = stage('dev');
  const policy = parsePolicyBySection(withoutNotify);
  expect(thrown(() => policy.notify)).toBe(thrown(() => parsePolicy(withoutNotify)));
});

it('reads a section left out as undefined, as the whole check does', () => {
  const { logs: _logs, responder: _responder, ...document } = stage('prod');
  const policy = parsePolicyBySection(document);
  expect(policy.logs).toBeUndefined();
  expect(policy.responder).toBeUndefined();
});
