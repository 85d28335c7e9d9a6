// Shared plumbing for the platform fakes: a loopback HTTP server that records
// every request, answers through a route handler, can be told to fail the next
// N calls (status, hang, connection reset), and shuts down completely in close().
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it, plus what it answered. */
export interface RecordedRequest {
  /** 1-based sequence number within this fake. */
  seq: number;
  /** Fake-clock time (ms) when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names, as node:http gives them. */
  headers: http.IncomingHttpHeaders;
  /** The body as received, decoded as UTF-8. */
  rawBody: string;
  /** The body's bytes exactly as received (multipart uploads). */
  rawBytes: Buffer;
  /** Parsed body (JSON or form), or undefined when empty or unparseable. */
  body: unknown;
  /** HTTP status answered; undefined while pending or when the fake hung up. */
  status?: number;
  /** Parsed JSON answered (or the text when not JSON). */
  response?: unknown;
  /** Set when an injected failure answered this request. */
  injected?: FailureMode;
}

export type FailureMode = 'status' | 'hang' | 'reset';

/** What `failNext` injects. */
export interface FailureSpec {
  /** 'status' (default): answer `status` with `body`. 'hang': never answer (until `hangMs` or close()). 'reset': destroy the socket. */
  mode?: FailureMode;
  /** HTTP status for mode 'status' (default 500). */
  status?: number;
  /** JSON body for mode 'status'; each fake supplies a platform-shaped default. */
  body?: unknown;
  /** Extra response headers for mode 'status'. */
  headers?: Record<string, string>;
  /** For 'hang': destroy the socket after this many real milliseconds (default: only at close()). */
  hangMs?: number;
  /** Only requests this matches are failed (and counted): a path substring, a RegExp on the path, or a predicate. */
  match?: string | RegExp | ((req: RecordedRequest) => boolean);
}

interface PendingFailure extends FailureSpec {
  remaining: number;
}

/** A clock the fakes share for every time rule; tests can move it forward. */
export class FakeClock {
  private offsetMs = 0;
  constructor(private readonly base: () => number = Date.now) {}
  now(): number {
    return this.base() + this.offsetMs;
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance needs a non-negative number of ms, got ${ms}`);
    this.offsetMs += ms;
  }
}

/** What a route handler returns. */
export interface RouteResult {
  status: number;
  /** An object is sent as JSON; a string as text/plain. */
  body: unknown;
  headers?: Record<string, string>;
}

/** Hands a route handler the recorded request; it may also take over the response (long polling). */
export interface RouteContext {
  req: RecordedRequest;
  raw: http.IncomingMessage;
  res: http.ServerResponse;
}

/** Returning undefined means the handler answered (or will answer) `res` itself. */
export type RouteHandler = (ctx: RouteContext) => Promise<RouteResult | undefined> | RouteResult | undefined;

export interface LoopbackServerOptions {
  clock: FakeClock;
  handler: RouteHandler;
  /** Body for an injected 'status' failure when the spec gives none. */
  defaultFailureBody: (status: number) => unknown;
  /** Largest body accepted (default 2 MiB); bigger gets 413. */
  maxBodyBytes?: number;
}

export interface LoopbackServer {
  url: string;
  requests: RecordedRequest[];
  failNext(count: number, spec?: FailureSpec): void;
  /** Drops every pending injected failure. */
  clearFailures(): void;
  close(): Promise<void>;
}

/** Parses a JSON or form body the way the platforms accept them. */
export function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  /** Set for file parts. */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Parses a multipart/form-data body (RFC 7578) from its bytes: parts split on
 * the boundary, header names case-insensitive, `name` and `filename` quoted or
 * not (grammY writes `filename=` unquoted), `filename*=UTF-8''…` decoded.
 * Returns undefined when the body is not well-formed multipart.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m || !/^multipart\/form-data/i.test(contentType ?? '')) return undefined;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(boundary);
  if (pos < 0) return undefined;
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing boundary
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') return undefined;
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
    if (next < 0) return undefined;
    const headers = new Map<string, string>();
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const param = (key: string) => {
      const r = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(disposition);
      return r ? (r[1] ?? r[2] ?? '').trim() : undefined;
    };
    const name = param('name');
    if (name === undefined) return undefined;
    const star = param('filename\\*');
    const filename = star?.toLowerCase().startsWith("utf-8''") ? decodeURIComponent(star.slice(7)) : param('filename');
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(headers.has('content-type') ? { contentType: headers.get('content-type')! } : {}), data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
}

function matches(spec: FailureSpec, req: RecordedRequest): boolean {
  const m = spec.match;
  if (m === undefined) return true;
  if (typeof m === 'string') return req.path.includes(m);
  if (m instanceof RegExp) return m.test(req.path);
  return m(req);
}

/** Answers a request and records the answer (for handlers that took over the response). */
export function send(res: http.ServerResponse, result: RouteResult, rec: RecordedRequest): void {
  const isText = typeof result.body === 'string';
  const payload = isText ? (result.body as string) : JSON.stringify(result.body);
  rec.status = result.status;
  rec.response = result.body;
  if (res.headersSent || res.destroyed) return;
  res.writeHead(result.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...result.headers,
  });
  res.end(payload);
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startLoopbackServer(opts: LoopbackServerOptions): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const failures: PendingFailure[] = [];
  const hanging = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const maxBody = opts.maxBodyBytes ?? 2 * 1024 * 1024;
  let seq = 0;
  let closing = false;

  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    raw.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) tooBig = true;
      else chunks.push(chunk);
    });
    raw.on('error', () => res.destroy());
    raw.on('end', () => {
      void (async () => {
        const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
        const rawBytes = Buffer.concat(chunks);
        const rawBody = rawBytes.toString('utf8');
        const rec: RecordedRequest = {
          seq: ++seq,
          at: opts.clock.now(),
          method: raw.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: raw.headers,
          rawBody,
          rawBytes,
          body: parseBody(rawBody, raw.headers['content-type']),
        };
        requests.push(rec);
        if (closing) {
          res.destroy();
          return;
        }
        if (tooBig) {
          send(res, { status: 413, body: 'Request Entity Too Large' }, rec);
          return;
        }
        const failure = failures.find((f) => f.remaining > 0 && matches(f, rec));
        if (failure) {
          failure.remaining -= 1;
          if (failure.remaining === 0) failures.splice(failures.indexOf(failure), 1);
          const mode = failure.mode ?? 'status';
          rec.injected = mode;
          if (mode === 'reset') {
            res.socket?.destroy();
            return;
          }
          if (mode === 'hang') {
            hanging.add(res);
            res.on('close', () => hanging.delete(res));
            if (failure.hangMs !== undefined) {
              const t = setTimeout(() => {
                timers.delete(t);
                res.socket?.destroy();
              }, failure.hangMs);
              timers.add(t);
            }
            return;
          }
          const status = failure.status ?? 500;
          send(res, { status, body: failure.body ?? opts.defaultFailureBody(status), headers: failure.headers }, rec);
          return;
        }
        try {
          const result = await opts.handler({ req: rec, raw, res });
          if (result) send(res, result, rec);
        } catch (err) {
          // A bug in the fake must surface in the test, not hang it.
          send(res, { status: 500, body: `fake handler crashed: ${(err as Error).stack ?? String(err)}` }, rec);
        }
      })();
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, spec = {}) {
      if (!Number.isInteger(count) || count < 1) throw new Error(`failNext needs a positive integer, got ${count}`);
      failures.push({ ...spec, remaining: count });
    },
    clearFailures() {
      failures.length = 0;
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A sliding-window counter: at most `limit` hits per `windowMs` for each key. */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a hit if allowed. Returns 0 when allowed, else ms until a slot frees up. */
  hit(key: string, now: number): number {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return list[0]! + this.windowMs - now;
    }
    list.push(now);
    this.hits.set(key, list);
    return 0;
  }

  reset(): void {
    this.hits.clear();
  }
}

/** A token bucket: `capacity` burst, refilled at `perSecond`. */
export class TokenBucket {
  private readonly state = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly capacity: number,
    readonly perSecond: number,
  ) {}

  /** Takes one token if available. Returns 0 when allowed, else ms until one is. */
  take(key: string, now: number): number {
    const s = this.state.get(key) ?? { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, s.tokens + ((now - s.at) / 1000) * this.perSecond);
    if (tokens >= 1) {
      this.state.set(key, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.state.set(key, { tokens, at: now });
    return Math.ceil(((1 - tokens) / this.perSecond) * 1000);
  }

  reset(): void {
    this.state.clear();
  }
}
