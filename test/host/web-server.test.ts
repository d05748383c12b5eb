import { mkdtempSync, mkdirSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSeedLab } from '../../src/main/core';
import { startWebHost, type WebHost, type WebHostLab } from '../../src/main/web/server';
import type { WsHostFrame } from '../../src/shared/api';
import type { LabEvent } from '../../src/shared/protocol';
import { FakeLab } from './fake-lab';

interface TestLab extends WebHostLab {
  close(): Promise<void>;
}

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: unlike fetch, node:http sends the path exactly as given (no `..` normalisation). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that queues frames so tests can wait for the one they need. */
class Client {
  private readonly frames: WsHostFrame[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as WsHostFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolve with (and remove) the first frame matching `match`, waiting up to `timeoutMs`. */
  async next<F extends WsHostFrame>(match: (frame: WsHostFrame) => frame is F, timeoutMs = 5000): Promise<F> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as F;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** All event frames received so far, removed from the queue. */
  takeEventFrames(): LabEvent[][] {
    const batches: LabEvent[][] = [];
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i];
      if (frame?.kind === 'events') {
        batches.unshift(frame.events);
        this.frames.splice(i, 1);
      }
    }
    return batches;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

const isResult =
  (id: number) =>
  (frame: WsHostFrame): frame is Extract<WsHostFrame, { kind: 'result' }> =>
    frame.kind === 'result' && frame.id === id;
const isError = (frame: WsHostFrame): frame is Extract<WsHostFrame, { kind: 'error' }> => frame.kind === 'error';

/** Open a socket; resolves with a Client, or with the HTTP status the host refused it with. */
function connect(url: string, origin: string | undefined): Promise<Client | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { headers: { Origin: origin } });
    ws.on('error', (error) => reject(error));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => resolve(new Client(ws)));
  });
}

describe('web host', () => {
  let dir: string;
  let host: WebHost;
  let lab: TestLab;
  let origin: string;
  let wsUrl: string;
  const logged: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'balancer-web-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Balancer Lab</title><h1>Balancer Lab</h1>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
    writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'package.json'), '{"secret":true}');
    // The real seed Lab: balancer, backends "1" and "2" and client-1, on ephemeral ports.
    lab = await createSeedLab({ balancerPort: 0, backendPorts: [0, 0] });
    host = await startWebHost({ lab, port: 0, rendererDir, log: (line) => logged.push(line) });
    origin = `http://127.0.0.1:${host.port}`;
    wsUrl = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`;
  });

  afterAll(async () => {
    await host?.close();
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying a 32-hex-digit token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves index.html for / with the security headers', async () => {
    const reply = await get(host.port, `/?token=${host.token}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<h1>Balancer Lab</h1>');
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    expect(reply.headers['x-frame-options']).toBe('DENY');
  });

  it('serves no symlink, so nothing outside the root leaks through a link', async () => {
    symlinkSync(join(dir, 'package.json'), join(dir, 'renderer', 'assets', 'link.json'));
    expect((await get(host.port, '/assets/link.json')).status).toBe(404);
  });

  it('lets its own URL in when bound to another loopback address (127.0.0.2)', async () => {
    const other = await startWebHost({
      lab,
      port: 0,
      host: '127.0.0.2',
      rendererDir: join(dir, 'renderer'),
      log: () => {},
    });
    try {
      expect(other.url).toBe(`http://127.0.0.2:${other.port}/?token=${other.token}`);
      const reply = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.2', port: other.port, path: '/', method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(reply).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('serves assets with their content types', async () => {
    const js = await get(host.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await get(host.port, '/assets/app.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets',
    '/nope.html',
    '/%00',
    '/%E0%A4%A',
  ])('answers 404 (with the headers) for %s', async (path) => {
    const reply = await get(host.port, path);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('secret');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['content-security-policy']).toBeDefined();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const reply = await get(host.port, '/', { Host: `evil.example:${host.port}` });
    expect(reply.status).toBe(403);
  });

  it('refuses sockets without the token, with a wrong token, or from another origin', async () => {
    expect(await connect(`ws://127.0.0.1:${host.port}/ws`, origin)).toBe(403);
    expect(await connect(`ws://127.0.0.1:${host.port}/ws?token=${'0'.repeat(32)}`, origin)).toBe(403);
    expect(await connect(`ws://127.0.0.1:${host.port}/ws?token=short`, origin)).toBe(403);
    expect(await connect(wsUrl, 'http://evil.example')).toBe(403);
    expect(await connect(wsUrl, `http://127.0.0.1:${host.port + 1}`)).toBe(403);
    expect(await connect(wsUrl, undefined)).toBe(403);
    expect(await connect(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, origin)).toBe(404);
  });

  it('accepts the right origin and token (127.0.0.1 or localhost) and answers lab.snapshot', async () => {
    for (const [url, from] of [
      [wsUrl, origin],
      [`ws://localhost:${host.port}/ws?token=${host.token}`, `http://localhost:${host.port}`],
    ] as const) {
      const client = await connect(url, from);
      if (typeof client === 'number') throw new Error(`refused with ${client}`);
      client.ws.send(JSON.stringify({ kind: 'invoke', id: 1, command: { type: 'lab.snapshot' } }));
      const reply = await client.next(isResult(1));
      expect(reply.result.ok).toBe(true);
      if (reply.result.ok) {
        expect(reply.result.snapshot?.clients.map((c) => c.id)).toEqual(['client-1']);
        expect(reply.result.snapshot?.backends.map((b) => b.id)).toEqual(['1', '2']);
      }
      await client.close();
    }
  });

  it('answers malformed frames with an error frame and keeps the connection usable', async () => {
    const client = await connect(wsUrl, origin);
    if (typeof client === 'number') throw new Error(`refused with ${client}`);
    const bad = [
      '{not json',
      '[1,2]',
      '"text"',
      JSON.stringify({ kind: 'shout', id: 1 }),
      JSON.stringify({ kind: 'invoke', id: 'x', command: {} }),
    ];
    for (const text of bad) {
      client.ws.send(text);
      const frame = await client.next(isError);
      expect(frame.error).not.toMatch(/\n/);
      expect(frame.error.length).toBeGreaterThan(0);
    }
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.next(isError)).error).toBe('frames must be JSON text');

    client.ws.send(JSON.stringify({ kind: 'invoke', id: 2, command: { type: 'backend.add', id: 'x', port: 0 } }));
    const invalid = await client.next(isResult(2));
    expect(invalid.result).toEqual({ ok: false, error: 'port: port must be between 1 and 65535' });

    client.ws.send(JSON.stringify({ kind: 'invoke', id: 3, command: { type: 'lab.snapshot' } }));
    expect((await client.next(isResult(3))).result.ok).toBe(true);
    await client.close();
  });

  it('closes a connection that sends a frame over 64 KiB', async () => {
    const client = await connect(wsUrl, origin);
    if (typeof client === 'number') throw new Error(`refused with ${client}`);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    client.ws.on('error', () => {});
    client.ws.send('x'.repeat(65 * 1024));
    expect(await closed).toBe(1009);
  });

  it('streams the real Lab’s events to each client in batches', async () => {
    const client = await connect(wsUrl, origin);
    if (typeof client === 'number') throw new Error(`refused with ${client}`);
    client.ws.send(JSON.stringify({ kind: 'invoke', id: 10, command: { type: 'message.send', text: 'hello' } }));
    expect((await client.next(isResult(10))).result).toMatchObject({ ok: true });
    const replied = await client.next(
      (frame): frame is Extract<WsHostFrame, { kind: 'events' }> =>
        frame.kind === 'events' && frame.events.some((event) => event.type === 'message.replied'),
      10_000,
    );
    const reply = replied.events.find((event) => event.type === 'message.replied');
    expect(reply).toMatchObject({ clientId: 'client-1' });
    expect(reply && reply.type === 'message.replied' && reply.reply).toMatch(/hello/);
    await client.close();
  });

  it('sends events emitted within one frame as one batch, bytes merged', async () => {
    const fake = new FakeLab();
    const batchHost = await startWebHost({ lab: fake, port: 0, rendererDir: join(dir, 'renderer'), log: () => {} });
    try {
      const client = await connect(
        `ws://127.0.0.1:${batchHost.port}/ws?token=${batchHost.token}`,
        `http://127.0.0.1:${batchHost.port}`,
      );
      if (typeof client === 'number') throw new Error(`refused with ${client}`);
      const emitted = [
        fake.emit({ type: 'message.sent', msgId: 1, clientId: 'client-1', text: 'hello' }),
        fake.emit({ type: 'conn.bytes', connId: 1, up: 6, down: 0 }),
        fake.emit({ type: 'conn.bytes', connId: 1, up: 0, down: 18 }),
      ];
      const frame = await client.next((f): f is Extract<WsHostFrame, { kind: 'events' }> => f.kind === 'events');
      expect(frame.events).toEqual([emitted[0], { ...emitted[1], up: 6, down: 18 }]);
      await client.close();
    } finally {
      await batchHost.close();
    }
  });

  it('drops per-message events, never structural ones, for a client that is behind', async () => {
    const fake = new FakeLab();
    const slowHost = await startWebHost({
      lab: fake,
      port: 0,
      rendererDir: join(dir, 'renderer'),
      sheddingBytes: -1, // every client counts as behind
      log: (line) => logged.push(line),
    });
    try {
      const client = await connect(
        `ws://127.0.0.1:${slowHost.port}/ws?token=${slowHost.token}`,
        `http://127.0.0.1:${slowHost.port}`,
      );
      if (typeof client === 'number') throw new Error(`refused with ${client}`);
      fake.emit({ type: 'message.sent', msgId: 1, clientId: 'client-1', text: 'a' });
      const removed = fake.emit({ type: 'backend.removed', backendId: '2' });
      const frame = await client.next((f): f is Extract<WsHostFrame, { kind: 'events' }> => f.kind === 'events');
      expect(frame.events).toEqual([removed]);
      expect(logged.some((line) => /slow/.test(line))).toBe(true);
      await client.close();
    } finally {
      await slowHost.close();
    }
  });

  it('close() ends open sockets and frees the port', async () => {
    const fake = new FakeLab();
    const extra = await startWebHost({ lab: fake, port: 0, rendererDir: join(dir, 'renderer'), log: () => {} });
    const client = await connect(
      `ws://127.0.0.1:${extra.port}/ws?token=${extra.token}`,
      `http://127.0.0.1:${extra.port}`,
    );
    if (typeof client === 'number') throw new Error(`refused with ${client}`);
    expect(fake.listenerCount).toBe(1);
    const closed = new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
    await extra.close();
    await closed;
    expect(fake.listenerCount).toBe(0);
    await expect(get(extra.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a taken port as one line', async () => {
    await expect(
      startWebHost({ lab: new FakeLab(), port: host.port, rendererDir: dir, log: () => {} }),
    ).rejects.toThrow(/^cannot listen on 127\.0\.0\.1:\d+: address already in use$/);
  });
});
