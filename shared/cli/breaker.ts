// Operator CLI entry: `npm run breaker -- status|open|close <name> [--reason ...]` against SSM with the usual AWS credentials.
import { userInfo } from 'node:os';
import { runBreakerCli } from '../breaker/cli';
import { ssmFlagStore } from '../breaker/store';
import { loadConfig } from '../config';
import { errorMessage } from '../errors';

const operator = (() => {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws where the user has no passwd entry (some containers); the name is only a label.
    return 'unknown';
  }
})();

const config = loadConfig(process.env);

runBreakerCli(process.argv.slice(2), {
  store: ssmFlagStore(config.breakerPrefix),
  prefix: config.breakerPrefix,
  dryRun: config.dryRun,
  now: () => new Date(),
  print: (line) => console.log(line),
  operator,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`breaker: ${errorMessage(error)}`);
    process.exitCode = 1;
  },
);
