#!/usr/bin/env node
// The `firebreak` bin: every operator command (shared/cli/main.ts), compiled on the fly by tsx as the npm scripts run them.
// tsx is a dev dependency: the bin runs from a checkout with `npm ci` done (npx firebreak, or npm link for a `firebreak` on PATH).
require('tsx/cjs/api').register();
// The commands are loaded with import(), which Node resolves through its ESM loader: tsx hooks that one too.
require('tsx/esm/api').register();
require('../shared/cli/main.ts').main();
