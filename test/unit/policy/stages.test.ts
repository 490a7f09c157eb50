// Unit tests: a stage is its policy file — found without a code change, and a file that is not JSON named with its line and column.
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyForStage, stageDocument, stageNames, stagePolicy } from '../../../shared/policy/load';

const STAGES = join(__dirname, '../../../shared/policy/stages');

/**
 * Writes `shared/policy/stages/<stage>.json`, runs `use` and removes the file, all synchronously, so
 * the file exists for milliseconds only: other suites list and package the stages in that directory.
 */
function withStageFile<T>(stage: string, write: (file: string) => void, use: () => T): T {
  const file = join(STAGES, `${stage}.json`);
  try {
    write(file);
    return use();
  } finally {
    rmSync(file, { force: true });
  }
}

const uniqueStage = (what: string) => `test-${what}-${process.pid}`;

describe('stage policies', () => {
  it('finds a stage by its file alone: a copy of local.json is a new stage', () => {
    const stage = uniqueStage('copy');
    const found = withStageFile(stage, (file) => copyFileSync(join(STAGES, 'local.json'), file), () => ({ names: stageNames(), policy: stagePolicy(stage), full: policyForStage(stage) }));
    expect(found.names).toContain(stage);
    expect(found.full.notify).toEqual(policyForStage('local').notify);
    expect(found.policy.version).toBe(1);
    expect(stageNames()).not.toContain(stage);
  });

  it('names the file to add for a stage without one, and the stages there are', () => {
    expect(() => stageDocument('qa')).toThrow('No policy for stage "qa": add shared/policy/stages/qa.json (known: dev, local, prod)');
  });

  it('refuses a stage name that is not one (no path can be read through it)', () => {
    expect(() => stageDocument('../../../package')).toThrow('a stage name is lower-case letters, digits and dashes');
  });

  it('names the file, the line and the column of a stage file that is not JSON, never a bare SyntaxError', () => {
    const stage = uniqueStage('syntax');
    const text = '{\n  "version": 1,\n  "notify": {\n    "routes": [1, 2,]\n  }\n}\n';
    const thrown = withStageFile(stage, (file) => writeFileSync(file, text), () => {
      try {
        stageDocument(stage);
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected a ConfigError');
    });
    expect(thrown.name).toBe('ConfigError');
    expect(thrown.message).toBe(`Invalid policy for stage ${stage}: shared/policy/stages/${stage}.json: not valid JSON at line 4, column 21: Unexpected token ']'`);
  });
});
