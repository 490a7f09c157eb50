// System suite: the Lambda runtime's part in a fresh Node 24 process: load the deployed handler from the
// unzipped artifact, call it once with the event, write the outcome as JSON. Output goes to stdout/stderr
// like a function's logs.
//
//   node bootstrap.cjs <task root> <handler, e.g. functions/notify/handler.handler> <event file> <outcome file>
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');

// The suite's clock (test/system/clock.ts): time moves for the function exactly as for the rest of the account.
const offsetMs = Number(process.env.FIREBREAK_SYSTEM_CLOCK_OFFSET_MS || 0);
if (offsetMs !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate;
}

const [taskRoot, handlerSpec, eventFile, outcomeFile] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const modulePath = join(taskRoot, `${handlerSpec.slice(0, dot)}.js`);
const exportName = handlerSpec.slice(dot + 1);
const timeoutMs = Number(process.env.FIREBREAK_FUNCTION_TIMEOUT_MS);
const startedAt = Date.now();

const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: process.env.FIREBREAK_FUNCTION_ARN,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: process.env.FIREBREAK_REQUEST_ID || randomUUID(),
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
  done() {},
  fail() {},
  succeed() {},
};

function finish(outcome) {
  writeFileSync(outcomeFile, JSON.stringify(outcome));
  // Lambda freezes the sandbox once the handler settles; nothing after that may count.
  process.exit(0);
}

(async () => {
  let handler;
  try {
    handler = require(modulePath)[exportName];
    if (typeof handler !== 'function') throw new Error(`${handlerSpec} is not a function`);
  } catch (error) {
    return finish({ ok: false, phase: 'init', errorType: error.name, errorMessage: error.message, stack: error.stack });
  }
  try {
    const event = JSON.parse(readFileSync(eventFile, 'utf8'));
    const result = await handler(event, context);
    finish({ ok: true, result: result === undefined ? null : result });
  } catch (error) {
    finish({ ok: false, phase: 'invoke', errorType: error && error.name, errorMessage: error && error.message, stack: error && error.stack });
  }
})();
