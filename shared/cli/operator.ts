// Operator CLI: who is running the command, for the audit trail of what an operator changes.
import { userInfo } from 'node:os';

/** The OS user name running the command (`--by`'s default). */
export const operator = (): string => {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws where the user has no passwd entry (some containers); the name is only a label.
    return 'unknown';
  }
};
