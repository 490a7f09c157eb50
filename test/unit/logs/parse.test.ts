// Unit: every message format the reference workload writes becomes a level, a message and fields.
import { guessLevel, normaliseLevel, parseLogMessage } from '../../../shared/logs/parse';
import { hugeLine, lambdaTextMessages, mixedMessages, trainingMessages } from '../../support/logs-samples';

describe('parseLogMessage', () => {
  it('reads JSON lines, keeping the object as logged in fields and its text for forwarding', () => {
    const line = '{"level":"warning","message":"slow feature store","latency_ms":812,"store":"S07"}';
    const parsed = parseLogMessage(line);
    expect(parsed).toMatchObject({ level: 'WARN', message: 'slow feature store', format: 'json' });
    expect(parsed.fields).toEqual({ level: 'warning', message: 'slow feature store', latency_ms: 812, store: 'S07' });
    expect(parsed.fieldsJson).toBe(line);
  });

  it('re-serialises a pretty-printed JSON message instead of copying its line breaks', () => {
    const parsed = parseLogMessage('{\n  "msg": "hello",\n  "severity": "ERROR"\n}');
    expect(parsed).toMatchObject({ level: 'ERROR', message: 'hello', format: 'json' });
    expect(parsed.fieldsJson).toBe('{"msg":"hello","severity":"ERROR"}');
  });

  it('reads JSON nested too deeply to be written again as text, after any prefix', () => {
    const deep = `{"msg":"deep","a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    for (const line of [`${deep.replace('{', '{\n')}`, `2026-03-02T09:00:00.120Z\t6f1c2a44\tINFO\t${deep}`, `2026-03-02 09:00:00,007 [ERROR] API Error: ${deep}`, `{"log":${JSON.stringify(deep)}}`, `{"log":"x","a":${deep}}`]) {
      const parsed = parseLogMessage(line);
      expect(parsed.format).not.toBe('json');
      expect(() => JSON.stringify(parsed.fields)).not.toThrow();
    }
  });

  it('reads pino numeric levels and an error key without a level', () => {
    expect(parseLogMessage('{"level":50,"msg":"boom"}').level).toBe('ERROR');
    expect(parseLogMessage('{"msg":"request done","error":"ECONNRESET"}').level).toBe('ERROR');
    expect(parseLogMessage('{"msg":"request done","errors":0}').level).toBe('INFO');
  });

  it('unwraps a container log shipper\'s `log` field', () => {
    const parsed = parseLogMessage('{"log":"2026-03-02 09:00:00,000 [ERROR] API Error: {\\"status\\":500}\\n","stream":"stderr","kubernetes":{"pod_name":"api-1"}}');
    expect(parsed).toMatchObject({ level: 'ERROR', message: 'API Error', format: 'api' });
    expect(parsed.fields).toMatchObject({ status: 500, stream: 'stderr', kubernetes: { pod_name: 'api-1' } });
  });

  it('reads JSON after the Lambda runtime\'s text prefix', () => {
    const parsed = parseLogMessage('2026-03-02T09:00:00.120Z\t6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21\tINFO\t{"message":"refreshing features","rows":1204}');
    expect(parsed).toMatchObject({ level: 'INFO', message: 'refreshing features', format: 'lambda' });
    expect(parsed.fields).toMatchObject({ requestId: '6f1c2a44-8a1e-4c43-9e71-0b0f7c1d5e21', rows: 1204 });
  });

  it('reads the Lambda runtime\'s Invoke Error and its REPORT line', () => {
    const [, , , , invokeError, , , report] = lambdaTextMessages();
    expect(parseLogMessage(invokeError ?? '')).toMatchObject({ level: 'ERROR', message: 'Invoke Error', fields: { errorType: 'TypeError' } });
    const parsed = parseLogMessage(report ?? '');
    expect(parsed).toMatchObject({ level: 'ERROR', format: 'lambda' });
    expect(parsed.fields).toMatchObject({ duration: 912.44, billedDuration: 913, maxMemoryUsed: 141, initDuration: 301.02 });
  });

  it('reads the reference API\'s request, error and inference lines', () => {
    expect(parseLogMessage('2026-03-02 09:00:00,000 [INFO] API Request: {"method":"POST","path":"/predict","product_id":"P1001"}')).toEqual({
      level: 'INFO',
      message: 'API Request',
      fields: { loggedAt: '2026-03-02 09:00:00,000', method: 'POST', path: '/predict', product_id: 'P1001' },
      format: 'api',
      fieldsJson: '{"loggedAt":"2026-03-02 09:00:00,000","method":"POST","path":"/predict","product_id":"P1001"}',
    });
    expect(parseLogMessage('2026-03-02 09:00:01,000 [ERROR] API Error: {"error":"Model inference failed","status":500}')).toMatchObject({
      level: 'ERROR',
      message: 'API Error',
      fields: { error: 'Model inference failed', status: 500 },
    });
    expect(parseLogMessage('2026-03-02 09:00:02,000 [INFO] Inference completed: latency=48.21ms, prediction=High')).toMatchObject({
      level: 'INFO',
      message: 'Inference completed',
      fields: { latencyMs: 48.21, prediction: 'High' },
    });
  });

  it('keeps the whole text as the message when only part of it became fields', () => {
    const parsed = parseLogMessage('2026-03-02 09:00:01,300 [ERROR] Database connection failed: postgres://db:5432/retail retries=3');
    expect(parsed.message).toBe('Database connection failed: postgres://db:5432/retail retries=3');
    expect(parsed.fields).toMatchObject({ retries: 3 });
  });

  it('reads training metrics', () => {
    expect(parseLogMessage('epoch 3 loss: 0.42, accuracy: 0.88, validation accuracy: 0.86, f1 score: 0.84')).toMatchObject({
      level: 'INFO',
      format: 'training',
      fields: { epoch: 3, loss: 0.42, accuracy: 0.88, validationAccuracy: 0.86, f1Score: 0.84 },
    });
    expect(parseLogMessage('2026-03-02 09:00:00,000 [INFO] Epoch 12 loss=1.5e-3 accuracy=0.9').fields).toMatchObject({ epoch: 12, loss: 0.0015, accuracy: 0.9 });
  });

  it('reads multi-line stack traces: Python takes its last line, Node its first', () => {
    const python = parseLogMessage(trainingMessages().at(-1) ?? '');
    expect(python).toMatchObject({ level: 'ERROR', message: 'OSError: disk quota exceeded', format: 'stacktrace', fields: { errorType: 'OSError' } });
    expect(python.fields.stack).toContain('train.py", line 41');
    const node = parseLogMessage("TypeError: Cannot read properties of undefined (reading 'price')\n    at refresh (/var/task/index.js:42:17)");
    expect(node).toMatchObject({ level: 'ERROR', message: "TypeError: Cannot read properties of undefined (reading 'price')", fields: { errorType: 'TypeError' } });
  });

  it('guesses the level of plain text from its words', () => {
    expect(parseLogMessage('Connection refused while contacting feature store')).toMatchObject({ level: 'ERROR', format: 'text' });
    expect(parseLogMessage('WARNING: validation accuracy plateaued').level).toBe('WARN');
    expect(parseLogMessage('kernel panic in worker 3').level).toBe('FATAL');
    expect(parseLogMessage('plain words with no level at all').level).toBe('INFO');
    expect(guessLevel('Errors: 0 items')).toBe('INFO');
  });

  it('turns anything, however odd, into a text record rather than throwing', () => {
    for (const message of mixedMessages()) {
      const parsed = parseLogMessage(message);
      expect(typeof parsed.message).toBe('string');
      expect(parsed.level).toMatch(/^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)$/);
    }
    expect(parseLogMessage('{"level":"info","message":')).toMatchObject({ format: 'text', message: '{"level":"info","message":' });
    expect(parseLogMessage('')).toMatchObject({ format: 'text', message: '', level: 'INFO' });
    expect(parseLogMessage(hugeLine()).message.length).toBeGreaterThan(200_000);
  });

  it('normalises level spellings', () => {
    expect(normaliseLevel('Warning')).toBe('WARN');
    expect(normaliseLevel('CRITICAL')).toBe('FATAL');
    expect(normaliseLevel(10)).toBe('TRACE');
    expect(normaliseLevel('verbose-ish')).toBeUndefined();
  });

  it('reads a level named like a member of every object (`constructor`, `__proto__`) as no level', () => {
    expect(normaliseLevel('constructor')).toBeUndefined();
    expect(normaliseLevel('__proto__')).toBeUndefined();
    expect(parseLogMessage('{"level":"constructor","msg":"request failed"}')).toMatchObject({ level: 'ERROR', message: 'request failed', format: 'json' });
    expect(parseLogMessage('{"severity":"__proto__","msg":"cache warm"}')).toMatchObject({ level: 'INFO', message: 'cache warm', format: 'json' });
  });

  it('keeps a key=value pair named __proto__ as a field like any other, without touching the prototype', () => {
    const parsed = parseLogMessage('2024-05-01T12:00:00Z INFO cache refreshed __proto__=polluted retries=3 latency=12ms');
    expect(Object.keys(parsed.fields)).toEqual(['loggedAt', '__proto__', 'retries', 'latencyMs']);
    expect(Object.getOwnPropertyDescriptor(parsed.fields, '__proto__')?.value).toBe('polluted');
    expect(Object.getPrototypeOf(parsed.fields)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(parsed.fields)) as unknown).toEqual(JSON.parse('{"loggedAt":"2024-05-01T12:00:00Z","__proto__":"polluted","retries":3,"latencyMs":12}'));
  });
});

describe('parseLogMessage on long lines', () => {
  // Each of these took a quarter of a second per 20,000 characters when matches could start anywhere in a run.
  it('reads key=value pairs after a long run without `=` in one pass', () => {
    const parsed = parseLogMessage(`${'x'.repeat(200_000)} retries=3`);
    expect(parsed.fields).toEqual({ retries: 3 });
  });

  it('reads a training line with a long tail of words', () => {
    const parsed = parseLogMessage(`epoch 2 loss: 0.5 ${'word '.repeat(40_000)}`);
    expect(parsed.fields).toMatchObject({ epoch: 2, loss: 0.5 });
  });
});
