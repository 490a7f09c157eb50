// Configuration: each stage's policy, one file per stage under ./stages; a function's composition root loads its stage's at cold start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { parseJsonText } from '../json-text';
import { parsePolicy, parsePolicyBySection } from './parse-policy';
import type { Policy } from './schema';

/** Where stage policies live, as people find them in the repository. */
export const STAGES_DIR = 'shared/policy/stages';

/** A stage name, as `STAGE` and serverless accept it: the file name of its policy, without `.json`. */
export const STAGE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * The stages that have a policy file, sorted, read from the directory (a new file is a new stage, no code
 * change). Empty inside a deployed bundle, which holds the documents but not the directory.
 */
export function stageNames(): string[] {
  let files: string[];
  try {
    files = readdirSync(join(__dirname, 'stages'));
  } catch {
    return [];
  }
  return files.flatMap((file) => (file.endsWith('.json') && STAGE_NAME.test(file.slice(0, -5)) ? [file.slice(0, -5)] : [])).sort();
}

/**
 * The policy document of `stage`, as its file holds it (not yet validated). The `require` takes a template
 * literal, which esbuild bundles as a glob: every function's bundle carries every `stages/*.json` there was
 * when it was packaged (a file with a syntax error fails the packaging, naming its line and column). Under
 * tsx (the operator CLI, serverless.yml) and jest the file is read from disk. Throws a ConfigError naming
 * the file to add, or where a file is not JSON.
 */
export function stageDocument(stage: string): unknown {
  if (!STAGE_NAME.test(stage)) throw new ConfigError(`No policy for stage "${stage}": a stage name is lower-case letters, digits and dashes, starting with a letter`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a template literal: esbuild bundles stages/*.json, Node and jest read the file
    return require(`./stages/${stage}.json`) as unknown;
  } catch (error) {
    throw stageFileError(stage, error);
  }
}

function stageFileError(stage: string, error: unknown): unknown {
  const file = `${STAGES_DIR}/${stage}.json`;
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  // Node and jest say MODULE_NOT_FOUND; an esbuild bundle "Module not found in bundle".
  if (code === 'MODULE_NOT_FOUND' || (typeof message === 'string' && message.startsWith('Module not found in bundle'))) {
    const known = stageNames();
    return new ConfigError(
      known.length > 0
        ? `No policy for stage "${stage}": add ${file} (known: ${known.join(', ')})`
        : `No policy for stage "${stage}" in this bundle: add ${file} and package the stage again`,
      { cause: error },
    );
  }
  // A syntax error only happens where the file is read at run time: read it again for the line and column.
  if (name === 'SyntaxError') {
    try {
      parseJsonText(readFileSync(join(__dirname, 'stages', `${stage}.json`), 'utf8'), file);
    } catch (syntax) {
      return new ConfigError(`Invalid policy for stage ${stage}: ${(syntax as Error).message}`, { cause: syntax });
    }
  }
  return error;
}

/** The validated policy of `stage`, every section; throws a ConfigError for an unknown stage or a bad field. */
export function policyForStage(stage: string): Policy {
  return parsePolicy(stageDocument(stage), `policy for stage ${stage}`);
}

/**
 * The policy of `stage` as a function loads it at cold start: its top level validated now, each section
 * when the function first reads it (while wiring, so still at cold start): see `parsePolicyBySection`.
 */
export function stagePolicy(stage: string): Policy {
  return parsePolicyBySection(stageDocument(stage), `policy for stage ${stage}`);
}
