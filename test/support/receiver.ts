// Test double: a real HTTP server on 127.0.0.1 that records requests and answers from a script.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as text, gunzipped when the request said `Content-Encoding: gzip`. */
  readonly body: string;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver, or a timeout when longer than the client's). */
  readonly delayMs?: number;
}

/** A loopback receiver: answers queued responses in order, then `fallback`. */
export class TestReceiver {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedResponse[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners: ((request: RecordedRequest) => void)[] = [];

  private constructor(
    private readonly server: Server,
    private fallback: ScriptedResponse,
  ) {}

  static async start(fallback: ScriptedResponse = { status: 200, body: 'ok' }): Promise<TestReceiver> {
    const server = createServer();
    const receiver = new TestReceiver(server, fallback);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        receiver.requests.push(recorded);
        for (const listener of receiver.listeners) listener(recorded);
        const answer = receiver.queue.shift() ?? receiver.fallback;
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
          res.end(answer.body ?? '');
        };
        if (!answer.delayMs) return send();
        const timer = setTimeout(() => {
          receiver.timers.delete(timer);
          send();
        }, answer.delayMs);
        receiver.timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The receiver's URL for `path`. */
  url(path = '/'): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** Calls `listener` with each request as it is recorded (the sandbox prints them). */
  onRequest(listener: (request: RecordedRequest) => void): this {
    this.listeners.push(listener);
    return this;
  }

  /** Queue answers for the next requests, in order. */
  respondWith(...responses: ScriptedResponse[]): this {
    this.queue.push(...responses);
    return this;
  }

  /** The answer once the queue is empty. */
  setFallback(response: ScriptedResponse): this {
    this.fallback = response;
    return this;
  }

  /** Forget recorded requests and queued answers. */
  reset(fallback: ScriptedResponse = { status: 200, body: 'ok' }): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.fallback = fallback;
  }

  /** Bodies parsed as JSON. */
  jsonBodies<T = unknown>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body) as T);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
