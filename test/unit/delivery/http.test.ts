// Unit: one HTTP POST over node:http against a loopback receiver: success, refusals, timeouts, network errors, kept-alive connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPost } from '../../../shared/delivery/http';
import { DeliveryError } from '../../../shared/errors';
import { TestReceiver } from '../../support/receiver';

const failure = async (promise: Promise<unknown>): Promise<DeliveryError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof DeliveryError) return error;
  throw new Error(`expected a DeliveryError, got ${String(error)}`);
};

describe('httpPost', () => {
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.close());

  it('sends the body and headers, and returns a 2xx answer', async () => {
    receiver.respondWith({ status: 202, body: '{"status":"success"}' });
    const result = await httpPost(receiver.url('/v2/enqueue'), '{"event":"ünï"}', { headers: { 'content-type': 'application/json' }, timeoutMs: 2_000, receiver: 'PagerDuty' });
    expect(result).toEqual({ status: 202, body: '{"status":"success"}' });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v2/enqueue');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength('{"event":"ünï"}')));
    expect(request?.body).toBe('{"event":"ünï"}');
  });

  it('sends binary bodies as they are', async () => {
    const bytes = new TextEncoder().encode('{"id":"1"}\n{"id":"2"}\n');
    await httpPost(receiver.url('/ingest'), bytes.subarray(0, 11), { timeoutMs: 2_000, receiver: 'log sink' });
    expect(receiver.requests[0]?.body).toBe('{"id":"1"}\n');
    expect(receiver.requests[0]?.headers['content-length']).toBe('11');
  });

  it('throws a permanent DeliveryError on a 4xx, with the status and the start of the body', async () => {
    receiver.respondWith({ status: 400, body: `invalid payload ${'x'.repeat(1_000)}` });
    const error = await failure(httpPost(receiver.url(), 'x', { timeoutMs: 2_000, receiver: 'PagerDuty' }));
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^PagerDuty: HTTP 400: invalid payload x+$/);
    expect(error.message.length).toBeLessThan(340);
  });

  it('throws a retryable DeliveryError on 429 and 5xx, with the Retry-After in ms', async () => {
    receiver.respondWith({ status: 429, body: 'slow down', headers: { 'retry-after': '2' } }, { status: 503, body: 'down' });
    const throttled = await failure(httpPost(receiver.url(), 'x', { timeoutMs: 2_000, receiver: 'log sink' }));
    expect(throttled).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2_000 });
    const down = await failure(httpPost(receiver.url(), 'x', { timeoutMs: 2_000, receiver: 'log sink' }));
    expect(down).toMatchObject({ retryable: true, status: 503, retryAfterMs: undefined });
  });

  it('times out a receiver that does not answer, as a retryable error, and does not reuse that connection', async () => {
    receiver.respondWith({ status: 200, body: 'late', delayMs: 1_500 });
    const started = Date.now();
    const error = await failure(httpPost(receiver.url(), 'x', { timeoutMs: 100, receiver: 'log sink' }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('log sink: timed out after 100 ms');
    // The next request gets its own answer, not the late one.
    receiver.respondWith({ status: 200, body: 'fresh' });
    await expect(httpPost(receiver.url(), 'y', { timeoutMs: 2_000, receiver: 'log sink' })).resolves.toEqual({ status: 200, body: 'fresh' });
  });

  it('reports a refused connection as a retryable network error without the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(httpPost(`http://127.0.0.1:${port}/secret-token-path`, 'x', { timeoutMs: 2_000, receiver: 'log sink' }));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^log sink: network error: .*ECONNREFUSED/);
    expect(error.message).not.toContain('secret-token-path');
  });

  it('refuses a URL that is not http or https, permanently', async () => {
    const error = await failure(httpPost('ftp://127.0.0.1/x', 'x', { timeoutMs: 2_000, receiver: 'log sink' }));
    expect(error.retryable).toBe(false);
  });

  describe('connections', () => {
    let server: Server;
    let connections = 0;
    let url = '';

    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200).end('ok'));
      });
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('keeps a connection open for the next request', async () => {
      for (let i = 0; i < 5; i++) await httpPost(url, `request ${i}`, { timeoutMs: 2_000, receiver: 'log sink' });
      expect(connections).toBe(1);
    });

    it('opens a new connection when the receiver closed the kept-alive one', async () => {
      await httpPost(url, 'before', { timeoutMs: 2_000, receiver: 'log sink' });
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(httpPost(url, 'after', { timeoutMs: 2_000, receiver: 'log sink' })).resolves.toEqual({ status: 200, body: 'ok' });
    });
  });
});
