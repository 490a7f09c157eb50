// System suite set-up, once per run: fail loudly without moto, and package the prod stage once for every test file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertMotoAvailable } from './emulator/moto';
import { packageStage } from '../packaging/serverless';

export default function globalSetup(): void {
  assertMotoAvailable();
  // Each test file's account writes its authorisation decisions here; least-privilege.test.ts (run last) reads them all.
  process.env.FIREBREAK_SYSTEM_AUDIT_DIR ??= mkdtempSync(join(tmpdir(), 'firebreak-audit-'));
  if (process.env.FIREBREAK_SYSTEM_PACKAGE_DIR) return;
  const packaged = packageStage('prod');
  // Test files read the artifacts and templates from here (test/system/stack/packaged.ts).
  process.env.FIREBREAK_SYSTEM_PACKAGE_DIR = packaged.directory;
  process.env.FIREBREAK_SYSTEM_PACKAGE_OWNED = '1';
}
