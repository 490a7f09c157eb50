// System suite: the prod stage that global-setup packaged once for the run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from '../../packaging/serverless';

export const SYSTEM_STAGE = 'prod';

/** The directory `serverless package --stage prod` wrote: both templates and the five zips. */
export function packagedDirectory(): string {
  const directory = process.env.FIREBREAK_SYSTEM_PACKAGE_DIR;
  if (!directory) throw new Error('FIREBREAK_SYSTEM_PACKAGE_DIR is not set: run the system suite with `npm run test:system`');
  return directory;
}

/** The update-stack template, as `serverless deploy` would send it. */
export function packagedTemplate(): Template {
  return JSON.parse(readFileSync(join(packagedDirectory(), 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/** The region the stage deploys to, as the framework resolved it. */
export function packagedRegion(): string {
  const state = JSON.parse(readFileSync(join(packagedDirectory(), 'serverless-state.json'), 'utf8')) as { service: { provider: { region: string } } };
  return state.service.provider.region;
}
