// Deployment: the alarms-topic subscriptions' filter policies for the stage being packaged, computed from its policy
// by shared/policy/subscription-filters.ts. serverless.yml reads them as ${file(./serverless/subscription-filters.js):...}.
/* global __filename */
const { require: requireTypeScript } = require('tsx/cjs/api');

// tsx's scoped require compiles these two modules (and what they import) for this call only: it installs no global
// hook, so serverless-esbuild's own build of the functions is untouched.
const { policyForStage } = requireTypeScript('../shared/policy/load.ts', __filename);
const { subscriptionFilters, subscriptionTemplateValues } = requireTypeScript('../shared/policy/subscription-filters.ts', __filename);

/**
 * `{ receivesAlarms: { <fn>: 'true' | 'false' }, filterPolicy: { <fn>: <FilterPolicy> } }` for the stage. The
 * stage's policy is validated here as it is at cold start, so a stage without a valid policy does not package.
 */
module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  return subscriptionTemplateValues(subscriptionFilters(policyForStage(stage)));
};
