// System suite set-up, once per run: fail loudly without moto, and package the prod stage once for every test file.
import { assertMotoAvailable } from './emulator/moto';
import { packageStage } from '../packaging/serverless';

export default function globalSetup(): void {
  assertMotoAvailable();
  if (process.env.FIREBREAK_SYSTEM_PACKAGE_DIR) return;
  const packaged = packageStage('prod');
  // Test files read the artifacts and templates from here (test/system/stack/packaged.ts).
  process.env.FIREBREAK_SYSTEM_PACKAGE_DIR = packaged.directory;
  process.env.FIREBREAK_SYSTEM_PACKAGE_OWNED = '1';
}
