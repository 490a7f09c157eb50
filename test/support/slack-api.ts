// Test double: Slack's Web API on 127.0.0.1 (chat, the external file upload, user groups) and interactions' response_urls, recording every call.
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** The Web API methods the double answers. */
export type SlackApiMethod = 'chat.postMessage' | 'chat.update' | 'files.getUploadURLExternal' | 'files.completeUploadExternal' | 'usergroups.users.list';

/** What the double saw of one request: the Web API method (or `upload`, `response`; the path when it is none), its arguments and the token it carried. */
export interface SlackApiCall {
  readonly method: string;
  /** Form fields, JSON body or query, with JSON-valued fields (`blocks`, `attachments`, `files`) parsed. */
  readonly args: Json;
  /** The token, from `Authorization: Bearer` or a `token` form field; undefined when there was none. */
  readonly token?: string;
  readonly contentType: string;
  readonly headers: IncomingHttpHeaders;
  /** The HTTP status answered, and Slack's error code when it answered one. */
  readonly status: number;
  readonly error?: string;
}

/** A message as it was posted (chat.postMessage), or a file shared into a channel (files.completeUploadExternal). */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: unknown[];
  readonly attachments?: unknown[];
  readonly thread_ts?: string;
  /** The files a file share carries. */
  readonly files?: readonly { id: string; title?: string }[];
  readonly token: string;
}

/** One chat.update: the new content of the message at `channel`/`ts`. */
export interface MessageUpdate {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: unknown[];
  readonly attachments?: unknown[];
}

/** One file through the three steps: announced, its bytes received, completed (shared into a channel or thread). */
export interface UploadedFile {
  readonly fileId: string;
  readonly filename: string;
  /** The `length` announced in files.getUploadURLExternal. */
  readonly length: number;
  readonly altText?: string;
  /** The bytes POSTed to the upload URL (the file part of a multipart body, or the raw body). */
  bytes?: Buffer;
  /** How the bytes came: `multipart/form-data` (as @slack/web-api sends them) or the raw body's content type. */
  uploadContentType?: string;
  /** Set by files.completeUploadExternal. */
  completed: boolean;
  title?: string;
  channel?: string;
  thread_ts?: string;
  initialComment?: string;
}

/** One POST to an interaction's response_url. */
export interface InteractionResponse {
  readonly id: string;
  readonly body: unknown;
  readonly contentType: string;
}

/** A scripted failure: a Slack error code (answered as Slack does: `ratelimited` is HTTP 429 with Retry-After), or a bare HTTP status. */
export type SlackFailure = string | number;

interface Scripted {
  readonly failure: SlackFailure;
  readonly retryAfter: number;
  readonly extra: Json;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly error?: string;
}

/** Arguments Slack takes as JSON inside a form field. */
const JSON_ARGS: Record<string, string> = { blocks: 'invalid_blocks_format', attachments: 'invalid_attachments', files: 'invalid_arguments', metadata: 'invalid_metadata_format' };

class SlackApiFailure extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

const ok = (body: Json): Answer => ({ status: 200, body: JSON.stringify({ ok: true, ...body }), headers: { 'content-type': 'application/json; charset=utf-8' } });
const platformError = (code: string, extra: Json = {}): Answer => ({
  status: 200,
  body: JSON.stringify({ ok: false, error: code, ...extra }),
  headers: { 'content-type': 'application/json; charset=utf-8' },
  error: code,
});
const httpError = (status: number, body = STATUS_CODES[status] ?? ''): Answer => ({ status, body, headers: { 'content-type': 'text/plain' } });

const optionalString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const optionalArray = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/**
 * Answers as Slack's Web API does for what the app uses: every method over POST with a form or JSON body
 * (or GET with a query), the token from `Authorization: Bearer` (or a `token` form field; JSON bodies
 * need the header) — `not_authed` without one, `invalid_auth` for one it does not know, both HTTP 200
 * with `ok: false` like every platform error; `unknown_method` with HTTP 404. chat.postMessage gives each
 * message a new `ts`; chat.update needs a message it posted (`message_not_found`); the upload URL is on
 * the double and takes multipart or raw bytes; files.completeUploadExternal needs files whose bytes
 * arrived (`file_not_found`). `failNext` scripts one failure of a method.
 */
export class SlackApiDouble {
  /** The bot token the double accepts unless told otherwise. */
  static readonly TOKEN = 'xoxb-1111-2222-double';

  readonly calls: SlackApiCall[] = [];
  private readonly posted: PostedMessage[] = [];
  private readonly edits: MessageUpdate[] = [];
  private readonly files = new Map<string, UploadedFile>();
  private readonly replies: InteractionResponse[] = [];
  private readonly groups = new Map<string, string[]>();
  private readonly scripted = new Map<string, Scripted[]>();
  private tokens = new Set<string>([SlackApiDouble.TOKEN]);
  private readonly clock = Math.floor(Date.now() / 1000);
  private sequence = 0;
  /** Milliseconds to hold the next answer (a slow Slack). */
  delayNextMs = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SlackApiDouble> {
    const server = createServer();
    const double = new SlackApiDouble(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = double.route(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks)).catch((error: unknown) => httpError(500, String(error)));
        void answered.then((answer) => {
          const send = () => {
            if (res.destroyed) return;
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          };
          const delay = double.delayNextMs;
          double.delayNextMs = 0;
          if (delay > 0) setTimeout(send, delay).unref();
          else send();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  /** The double's URL for `path`; `url()` is the `slackApiUrl` to give WebClient. */
  url(path = '/api/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** A response_url for an interaction, as Slack puts in its payload. */
  responseUrl(id: string): string {
    return this.url(`/response/${encodeURIComponent(id)}`);
  }

  /** Tokens the double accepts (replacing the default). */
  acceptTokens(...tokens: string[]): this {
    this.tokens = new Set(tokens);
    return this;
  }

  /** The members of a user group (`S…`); a group not set is `no_such_subteam`. */
  setUserGroup(id: string, users: string[]): this {
    this.groups.set(id, [...users]);
    return this;
  }

  /**
   * The next call of `method` (after authentication) fails: with a Slack error code (HTTP 200, `ok: false`;
   * `ratelimited` is HTTP 429 with `Retry-After: retryAfter` seconds, 1 unless given), or with a bare HTTP
   * status (429 then has no Retry-After). The upload URL (`upload`) and response_urls (`response`) fail
   * with statuses only. `extra` is merged into an error body (e.g. `{ needed: 'chat:write' }`).
   */
  failNext(method: SlackApiMethod, failure: SlackFailure, options?: { retryAfter?: number; extra?: Json }): this;
  failNext(method: 'upload' | 'response', failure: number): this;
  failNext(method: string, failure: SlackFailure, options: { retryAfter?: number; extra?: Json } = {}): this {
    const queue = this.scripted.get(method) ?? [];
    queue.push({ failure, retryAfter: options.retryAfter ?? 1, extra: options.extra ?? {} });
    this.scripted.set(method, queue);
    return this;
  }

  /** The calls of one method, in order. */
  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages posted with chat.postMessage, as posted (updates do not change them), in order. */
  messages(): PostedMessage[] {
    return this.posted.filter((m) => !m.files);
  }

  /** Every chat.update that succeeded, in order. */
  updates(): MessageUpdate[] {
    return [...this.edits];
  }

  /** Files whose bytes arrived, in the order they were announced, with where they were shared once completed. */
  uploads(): UploadedFile[] {
    return [...this.files.values()].filter((f) => f.bytes !== undefined);
  }

  /** POSTs to response_urls, in order. */
  responses(): InteractionResponse[] {
    return [...this.replies];
  }

  /** The replies in the thread of `ts`: messages and file shares, in order. */
  threadOf(ts: string): PostedMessage[] {
    return this.posted.filter((m) => m.thread_ts === ts);
  }

  /** A message as it reads now (its last update applied), or undefined. */
  message(channel: string, ts: string): MessageUpdate | undefined {
    const original = this.posted.find((m) => m.channel === channel && m.ts === ts);
    if (!original) return undefined;
    const last = this.edits.filter((u) => u.channel === channel && u.ts === ts).at(-1);
    return last ?? { channel, ts, text: original.text, blocks: original.blocks, attachments: original.attachments };
  }

  reset(): void {
    this.calls.length = 0;
    this.posted.length = 0;
    this.edits.length = 0;
    this.files.clear();
    this.replies.length = 0;
    this.groups.clear();
    this.scripted.clear();
    this.tokens = new Set([SlackApiDouble.TOKEN]);
    this.delayNextMs = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(httpMethod: string, rawUrl: string, headers: IncomingHttpHeaders, raw: Buffer): Promise<Answer> {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const contentType = headers['content-type'] ?? '';
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const record = (method: string, args: Json, token: string | undefined, answer: Answer): Answer => {
      this.calls.push({ method, args, token, contentType, headers, status: answer.status, error: answer.error });
      return answer;
    };

    const upload = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
    if (upload) return record('upload', { fileId: upload[1] }, bearer, await this.receiveUpload(decodeURIComponent(upload[1] ?? ''), httpMethod, contentType, raw));
    const response = /^\/response\/([^/]+)$/.exec(url.pathname);
    if (response) return record('response', { id: response[1] }, bearer, this.receiveResponse(decodeURIComponent(response[1] ?? ''), httpMethod, contentType, raw));

    const api = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    const method = api?.[1] ?? url.pathname;
    let args: Json = Object.fromEntries(url.searchParams);
    let token: string | undefined = bearer;
    try {
      args = { ...args, ...(await parseBody(httpMethod, contentType, raw)) };
      // A token in the body is taken from forms only: Slack reads JSON bodies' token from the header.
      if (!token && !contentType.startsWith('application/json') && typeof args.token === 'string') token = args.token;
      delete args.token;
      if (!api || !this.handlers[method as SlackApiMethod]) return record(method, args, token, { ...platformError('unknown_method'), status: 404 });
      if (!token) throw new SlackApiFailure('not_authed');
      if (!this.tokens.has(token)) throw new SlackApiFailure('invalid_auth');
      const scripted = this.scripted.get(method)?.shift();
      if (scripted) return record(method, args, token, scriptedAnswer(scripted));
      return record(method, args, token, ok(this.handlers[method as SlackApiMethod](args, token)));
    } catch (error) {
      if (!(error instanceof SlackApiFailure)) throw error;
      return record(method, args, token, platformError(error.code, error.extra));
    }
  }

  private readonly handlers: Record<SlackApiMethod, (args: Json, token: string) => Json> = {
    'chat.postMessage': (args, token) => {
      const channel = optionalString(args.channel);
      if (!channel) throw new SlackApiFailure('channel_not_found');
      const content = messageContent(args);
      const ts = this.nextTs();
      const threadTs = optionalString(args.thread_ts);
      this.posted.push({ channel, ts, ...content, thread_ts: threadTs, token });
      return { channel, ts, message: { type: 'message', bot_id: 'B0DOUBLE', user: 'U0DOUBLE', app_id: 'A0DOUBLE', ts, thread_ts: threadTs, ...content } };
    },

    'chat.update': (args) => {
      const channel = optionalString(args.channel);
      const ts = optionalString(args.ts);
      if (!channel) throw new SlackApiFailure('channel_not_found');
      if (!ts || !this.posted.some((m) => m.channel === channel && m.ts === ts && !m.files)) throw new SlackApiFailure('message_not_found');
      const content = messageContent(args);
      this.edits.push({ channel, ts, ...content });
      return { channel, ts, text: content.text, message: { type: 'message', bot_id: 'B0DOUBLE', user: 'U0DOUBLE', ...content, edited: { user: 'U0DOUBLE', ts: this.nextTs() } } };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = optionalString(args.filename);
      const length = Number(args.length);
      if (!filename || !Number.isInteger(length) || length < 0) throw new SlackApiFailure('invalid_arguments');
      const fileId = `F0DOUBLE${String(this.files.size + 1).padStart(4, '0')}`;
      this.files.set(fileId, { fileId, filename, length, altText: optionalString(args.alt_text), completed: false });
      return { upload_url: this.url(`/upload/v1/${fileId}`), file_id: fileId };
    },

    'files.completeUploadExternal': (args, token) => {
      const entries = args.files;
      if (!Array.isArray(entries) || entries.length === 0) throw new SlackApiFailure('invalid_arguments');
      const channel = optionalString(args.channel_id);
      const threadTs = optionalString(args.thread_ts);
      const initialComment = optionalString(args.initial_comment);
      const done: UploadedFile[] = [];
      for (const entry of entries as { id?: unknown; title?: unknown }[]) {
        const file = typeof entry.id === 'string' ? this.files.get(entry.id) : undefined;
        if (!file || !file.bytes || file.completed) throw new SlackApiFailure('file_not_found');
        done.push(file);
      }
      for (const [i, file] of done.entries()) {
        const title = (entries[i] as { title?: unknown }).title;
        Object.assign(file, { completed: true, title: typeof title === 'string' ? title : file.filename, channel, thread_ts: threadTs, initialComment });
      }
      if (channel) this.posted.push({ channel, ts: this.nextTs(), text: initialComment ?? '', thread_ts: threadTs, files: done.map((f) => ({ id: f.fileId, title: f.title })), token });
      return {
        files: done.map((f) => ({ id: f.fileId, name: f.filename, title: f.title, size: f.bytes?.byteLength, alt_txt: f.altText, channels: channel ? [channel] : [] })),
      };
    },

    'usergroups.users.list': (args) => {
      const group = optionalString(args.usergroup);
      const users = group ? this.groups.get(group) : undefined;
      if (!users) throw new SlackApiFailure('no_such_subteam');
      return { users: [...users] };
    },
  };

  private async receiveUpload(fileId: string, httpMethod: string, contentType: string, raw: Buffer): Promise<Answer> {
    const file = this.files.get(fileId);
    if (httpMethod !== 'POST' || !file || file.completed) return httpError(404);
    const scripted = this.scripted.get('upload')?.shift();
    if (scripted) return httpError(Number(scripted.failure));
    let bytes = raw;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
      const part = [...form.values()].find((v): v is File => typeof v !== 'string');
      if (!part) return httpError(400, 'no file in the form');
      bytes = Buffer.from(await part.arrayBuffer());
    }
    file.bytes = bytes;
    file.uploadContentType = contentType.split(';')[0];
    return { status: 200, body: `OK - ${bytes.byteLength}`, headers: { 'content-type': 'text/plain' } };
  }

  private receiveResponse(id: string, httpMethod: string, contentType: string, raw: Buffer): Answer {
    if (httpMethod !== 'POST') return httpError(405);
    const scripted = this.scripted.get('response')?.shift();
    if (scripted) return httpError(Number(scripted.failure));
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return httpError(400, 'invalid_payload');
    }
    this.replies.push({ id, body, contentType });
    return ok({});
  }

  private nextTs(): string {
    const n = ++this.sequence;
    return `${this.clock + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
  }
}

function scriptedAnswer(scripted: Scripted): Answer {
  const { failure } = scripted;
  if (typeof failure === 'number') return httpError(failure);
  if (failure === 'ratelimited') {
    const answer = platformError(failure, scripted.extra);
    return { ...answer, status: 429, headers: { ...answer.headers, 'retry-after': String(scripted.retryAfter) } };
  }
  return platformError(failure, scripted.extra);
}

/** The body's arguments: a form, a JSON object or multipart fields; JSON-valued form fields parsed. */
async function parseBody(httpMethod: string, contentType: string, raw: Buffer): Promise<Json> {
  if (httpMethod !== 'POST' || raw.byteLength === 0) return {};
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new SlackApiFailure('invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SlackApiFailure('invalid_json');
    return parsed as Json;
  }
  let args: Json;
  if (type === 'application/x-www-form-urlencoded') {
    args = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  } else if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    args = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === 'string'));
  } else {
    throw new SlackApiFailure('invalid_post_type');
  }
  for (const [key, code] of Object.entries(JSON_ARGS)) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      throw new SlackApiFailure(code);
    }
  }
  return args;
}

/** A message's text, blocks and attachments, checked as chat.postMessage and chat.update check them. */
function messageContent(args: Json): { text: string; blocks?: unknown[]; attachments?: unknown[] } {
  const text = typeof args.text === 'string' ? args.text : '';
  const blocks = optionalArray(args.blocks);
  const attachments = optionalArray(args.attachments);
  if (args.blocks !== undefined && (!blocks || blocks.some((b) => typeof (b as { type?: unknown } | null)?.type !== 'string'))) throw new SlackApiFailure('invalid_blocks');
  if (args.attachments !== undefined && !attachments) throw new SlackApiFailure('invalid_attachments');
  if (!text && !blocks?.length && !attachments?.length) throw new SlackApiFailure('no_text');
  return { text, blocks, attachments };
}
