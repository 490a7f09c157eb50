// Property tests: the stage-policy parser over mutations of every shared/policy/stages/*.json, and stage names that are not one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '../../shared/errors';
import { parsePolicy, parsePolicyBySection } from '../../shared/policy/parse-policy';
import { policyForStage, stageDocument } from '../../shared/policy/load';
import { mutationsOf, oddString, type Json } from './arbitraries';
import { propertyParameters } from './settings';

const STAGES = join(__dirname, '..', '..', 'shared', 'policy', 'stages');
const documents = readdirSync(STAGES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(STAGES, f), 'utf8')) as Json] as const);

/** A ConfigError whose message names a field: `Invalid <source>: <path>: <why>` (the root counts as a field, `(root)` or similar). */
function expectConfigErrorNamingAField(error: unknown): void {
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  expect(error.message).toMatch(/^Invalid policy: \S.*:/s);
}

/** Every section read, so the by-section parser validates them all (the getters throw on first read). */
function readEverySection(policy: ReturnType<typeof parsePolicy>): void {
  void [policy.notify, policy.remediation, policy.responder, policy.logs];
}

describe.each(documents)('the policy parser over mutations of %s', (_file, document) => {
  it('parsePolicy returns a policy or throws a ConfigError naming a field', () => {
    fc.assert(
      fc.property(mutationsOf(document), (json) => {
        try {
          readEverySection(parsePolicy(json));
        } catch (error) {
          expectConfigErrorNamingAField(error);
        }
      }),
      propertyParameters(),
    );
  });

  it('parsePolicyBySection returns a policy whose sections read, or throws a ConfigError naming a field', () => {
    fc.assert(
      fc.property(mutationsOf(document), (json) => {
        try {
          readEverySection(parsePolicyBySection(json));
        } catch (error) {
          expectConfigErrorNamingAField(error);
        }
      }),
      propertyParameters(),
    );
  });
});

const oddStageName = fc.oneof(
  fc.constantFrom('', '__proto__', 'constructor', 'toString', '../stages/local', './local', 'local/../prod', '/etc/passwd', 'LOCAL', 'local.json', 'local ', ' local', 'nul\u0000l', '..', '.'),
  oddString,
  fc.string({ maxLength: 20 }).map((s) => `../${s}`),
);

describe('stage names that are not a stage', () => {
  it.each([
    ['stageDocument', stageDocument],
    ['policyForStage', policyForStage],
  ])('%s throws a ConfigError for them', (_name, load) => {
    fc.assert(
      fc.property(oddStageName, (stage) => {
        fc.pre(!['local', 'dev', 'prod'].includes(stage));
        expect(() => load(stage)).toThrow(ConfigError);
      }),
      propertyParameters(),
    );
  });
});
