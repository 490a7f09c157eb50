// System suite tear-down: remove the packaged stage global-setup made (unless it was given from outside).
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const directory = process.env.FIREBREAK_SYSTEM_PACKAGE_DIR;
  if (directory && process.env.FIREBREAK_SYSTEM_PACKAGE_OWNED === '1') rmSync(directory, { recursive: true, force: true });
  const audit = process.env.FIREBREAK_SYSTEM_AUDIT_DIR;
  if (audit) rmSync(audit, { recursive: true, force: true });
}
