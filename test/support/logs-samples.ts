// Test support: builds CloudWatch Logs subscription deliveries (reproducibly) for events/, tests and the benchmark.
import { gzipSync } from 'node:zlib';

export interface SampleLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface SubscriptionPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: SampleLogEvent[];
}

/** Wraps a payload as Lambda receives it: `{ awslogs: { data: base64(gzip(JSON)) } }`. */
export const encodeSubscription = (payload: unknown): { awslogs: { data: string } } => ({
  awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') },
});

export const SAMPLE_OWNER = '123456789012';
export const START = Date.parse('2026-03-02T09:00:00.000Z');

/** A CloudWatch-shaped event id (56 digits) for sequence number `n`; unique per (stream, n). */
export const eventId = (streamNo: number, n: number): string =>
  `${String(37_000_000_000 + streamNo).padStart(20, '0')}${String(n).padStart(36, '0')}`;

/** Deterministic pseudo-random numbers (mulberry32), so samples are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function dataMessage(logGroup: string, logStream: string, messages: readonly string[], streamNo = 1): SubscriptionPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: SAMPLE_OWNER,
    logGroup,
    logStream,
    subscriptionFilters: ['firebreak-forward'],
    logEvents: messages.map((message, n) => ({ id: eventId(streamNo, n), timestamp: START + n * 37, message })),
  };
}

export const API_LOG_GROUP = '/aws/containerinsights/retail-prediction-cluster/application';
export const API_LOG_STREAM = 'retail-prediction-api-7d9f8c6b5-x2k4q_default_api-0123456789abcdef';
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
export const LAMBDA_LOG_GROUP = '/aws/lambda/retail-feature-refresh';

const products = ['P1001', 'P2044', 'P3090', 'P4412', 'P5120', 'P6601'];
const stores = ['S01', 'S07', 'S12', 'S31'];
const predictions = ['High', 'Medium', 'Low'];

/**
 * Lines of the reference API as its Python logging writes them: a request, the inference result,
 * and now and then an error (`errorRate` of the requests), with the secrets a careless line can hold.
 */
export function apiLogMessages(count: number, options: { errorRate: number; seed: number }): string[] {
  const random = seeded(options.seed);
  const lines: string[] = [];
  for (let i = 0; lines.length < count; i++) {
    const ts = new Date(START + i * 250).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    const request = { method: 'POST', path: '/predict', product_id: products[i % products.length], store_id: stores[i % stores.length], client: `10.0.${i % 250}.${(i * 7) % 250}` };
    lines.push(`${ts} [INFO] API Request: ${JSON.stringify(request)}`);
    if (random() < options.errorRate) {
      lines.push(`${ts} [ERROR] API Error: ${JSON.stringify({ error: 'Model inference failed', detail: `feature store timeout after ${1000 + Math.floor(random() * 500)}ms`, status: 500 })}`);
    } else {
      lines.push(`${ts} [INFO] Inference completed: latency=${(20 + random() * 80).toFixed(2)}ms, prediction=${predictions[Math.floor(random() * 3)]}`);
    }
  }
  return lines.slice(0, count);
}

/** Messages carrying each secret the default redaction must remove, and the secrets themselves. */
export const SECRETS = {
  awsAccessKey: 'AKIAIOSFODNN7EXAMPLE',
  bearerToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl',
  password: 'hunter2-Secret!',
  jsonPassword: 'correct horse battery staple',
  email: 'jane.doe@example.com',
} as const;

export const SECRET_MESSAGES = [
  `2026-03-02 09:00:01,100 [WARNING] Falling back to static credentials aws_access_key_id=${SECRETS.awsAccessKey}`,
  `2026-03-02 09:00:01,200 [INFO] API Request: {"method":"POST","path":"/predict","headers":{"authorization":"Bearer ${SECRETS.bearerToken}"}}`,
  `2026-03-02 09:00:01,300 [ERROR] Database connection failed: postgres://app@db:5432/retail password=${SECRETS.password} retries=3`,
  `{"level":"info","message":"user signed in","user":{"email":"${SECRETS.email}","password":"${SECRETS.jsonPassword}"}}`,
];

export const trainingMessages = (): string[] => [
  'Starting training job retail-demand-2026-03-02 with 12 epochs',
  ...Array.from({ length: 12 }, (_, e) => {
    const loss = (0.9 * Math.exp(-e / 4)).toFixed(4);
    const acc = (0.6 + 0.3 * (1 - Math.exp(-e / 3))).toFixed(4);
    return `epoch ${e + 1} loss: ${loss}, accuracy: ${acc}, validation accuracy: ${(Number(acc) - 0.02).toFixed(4)}, f1 score: ${(Number(acc) - 0.04).toFixed(4)}`;
  }),
  'WARNING: validation accuracy plateaued, early stopping patience 2/3',
  'Traceback (most recent call last):\n  File "/opt/ml/code/train.py", line 88, in <module>\n    save_model(model, "/opt/ml/model")\n  File "/opt/ml/code/train.py", line 41, in save_model\n    raise IOError("disk quota exceeded")\nOSError: disk quota exceeded',
];

export const lambdaTextMessages = (): string[] => [
  'INIT_START Runtime Version: nodejs:24.v5\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc',
  'START RequestId: 6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21 Version: $LATEST',
  '2026-03-02T09:00:00.120Z\t6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tINFO\t{"message":"refreshing features","store":"S07","rows":1204}',
  '2026-03-02T09:00:00.480Z\t6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tWARN\tslow query took 412ms',
  '2026-03-02T09:00:00.910Z\t6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading \'price\')","stack":["TypeError: Cannot read properties of undefined (reading \'price\')","    at refresh (/var/task/index.js:42:17)"]}',
  '2026-03-02T09:00:00.911Z\t6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tERROR\tTypeError: Cannot read properties of undefined (reading \'price\')\n    at refresh (/var/task/index.js:42:17)\n    at Runtime.handler (/var/task/index.js:12:5)',
  'END RequestId: 6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21',
  'REPORT RequestId: 6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tDuration: 912.44 ms\tBilled Duration: 913 ms\tMemory Size: 512 MB\tMax Memory Used: 141 MB\tInit Duration: 301.02 ms\tStatus: error\tError Type: Runtime.ExitError',
];

/** A line of 200 KB: a real-world oversized log (a dumped feature vector). */
export const hugeLine = (): string => `2026-03-02 09:00:02,000 [DEBUG] Feature vector dump: ${'0.1234,'.repeat(200 * 1024 / 7)}`;

export const mixedMessages = (): string[] => [
  '{"level":"error","message":"truncated json follows"}',
  '{"level":"info","message":',
  '',
  '\u0000\u0001\u0002 binary garbage \ufffd\ufffd',
  'Ceci n\'est pas une pipe ✓ — ünïcödé 日本語',
  '[]',
  'null',
  hugeLine(),
  'plain words with no level at all',
  'Connection refused while contacting feature store',
  ...SECRET_MESSAGES,
];

export const controlMessage = (): SubscriptionPayload => ({
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: START, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
});

/** Every sample written to events/, by file name. */
export function sampleEvents(): Record<string, { awslogs: { data: string } }> {
  return {
    'logs-api.json': encodeSubscription(dataMessage(API_LOG_GROUP, API_LOG_STREAM, [...apiLogMessages(40, { errorRate: 0.1, seed: 7 }), ...SECRET_MESSAGES.slice(0, 3)], 1)),
    'logs-training.json': encodeSubscription(dataMessage(TRAINING_LOG_GROUP, 'retail-demand-2026-03-02/algo-1-1709370000', trainingMessages(), 2)),
    'logs-lambda-text.json': encodeSubscription(dataMessage(LAMBDA_LOG_GROUP, '2026/03/02/[$LATEST]0a1b2c3d4e5f', lambdaTextMessages(), 3)),
    'logs-control-message.json': encodeSubscription(controlMessage()),
    'logs-mixed-garbage.json': encodeSubscription(dataMessage(API_LOG_GROUP, API_LOG_STREAM, mixedMessages(), 4)),
  };
}

/** The benchmark batch: `count` API log events as JSON lines of about 300 bytes, `errorRate` of them errors. */
export function benchMessages(count: number, errorRate: number): string[] {
  const random = seeded(42);
  return Array.from({ length: count }, (_, i) => {
    const error = random() < errorRate;
    const line = {
      timestamp: new Date(START + i * 10).toISOString(),
      level: error ? 'ERROR' : 'INFO',
      message: error ? 'Model inference failed' : 'Inference completed',
      request_id: (i * 2_654_435_761 >>> 0).toString(16).padStart(8, '0'),
      method: 'POST',
      path: '/predict',
      product_id: products[i % products.length],
      store_id: stores[i % stores.length],
      status: error ? 500 : 200,
      latency_ms: Number((20 + random() * 80).toFixed(2)),
      prediction: error ? null : predictions[Math.floor(random() * 3)],
      model_version: 'v14',
    };
    return JSON.stringify(error ? { ...line, error: 'feature store timeout after 1500ms' } : line);
  });
}
