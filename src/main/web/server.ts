import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { WsClientFrame, WsHostFrame } from '../../shared/api';
import type { LabEvent } from '../../shared/protocol';
import { oneLine, runCommand, type CommandRunner } from '../host/command-gate';
import { EventBatcher, isSheddable, type EventBatcherOptions, type LabEventSource } from '../host/event-batcher';
import { sendText, serveStatic } from './static-files';

/** What the web host needs from a Lab. */
export type WebHostLab = CommandRunner & LabEventSource;

/** Options for {@link startWebHost}. */
export interface WebHostOptions {
  lab: WebHostLab;
  /** 0 picks an ephemeral port. */
  port?: number;
  /** Loopback unless a caller explicitly names another address. */
  host?: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Where the host notes slow clients and similar; defaults to stderr. */
  log?: (line: string) => void;
  /** Batching knobs for each client's event stream. */
  batch?: EventBatcherOptions;
  /** Unsent bytes per client beyond which per-message events are dropped for that client. */
  sheddingBytes?: number;
  /** Unsent bytes per client beyond which the client is disconnected (it can reconnect and resync). */
  disconnectBytes?: number;
}

/** A running web host. */
export interface WebHost {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Largest WebSocket frame a client may send. */
export const MAX_FRAME_BYTES = 64 * 1024;
const DEFAULT_SHEDDING_BYTES = 4 * 1024 * 1024;
const DEFAULT_DISCONNECT_BYTES = 64 * 1024 * 1024;
/** Commands one client may have running at once; more is a misbehaving client. */
const MAX_IN_FLIGHT = 64;
export const WS_PATH = '/ws';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** host:port as it appears in a Host header or an origin (IPv6 literals bracketed). */
function authority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function tokensEqual(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function rejectUpgrade(socket: Duplex, status: 403 | 404): void {
  const text = status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function parseClientFrame(data: RawData, isBinary: boolean): WsClientFrame | string {
  if (isBinary) return 'frames must be JSON text';
  let value: unknown;
  try {
    value = JSON.parse(data.toString());
  } catch {
    return 'frame is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'frame must be a JSON object';
  const frame = value as Record<string, unknown>;
  if (frame.kind !== 'invoke') return 'frame kind must be "invoke"';
  if (typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id)) return 'frame id must be an integer';
  if (!('command' in frame)) return 'frame has no command';
  return { kind: 'invoke', id: frame.id, command: frame.command };
}

function listenError(host: string, port: number, error: NodeJS.ErrnoException): Error {
  const why =
    error.code === 'EADDRINUSE'
      ? 'address already in use'
      : error.code === 'EACCES'
        ? 'permission denied'
        : error.code === 'EADDRNOTAVAIL'
          ? 'address not available on this machine'
          : error.message;
  return new Error(oneLine(`cannot listen on ${authority(host, port)}: ${why}`));
}

/**
 * Serve the built renderer over HTTP and the Lab over a WebSocket at /ws. A socket is accepted only from
 * this host's own origin and with the per-run token, so another web page (or another local user's browser
 * without the URL) cannot drive the Lab.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { lab, rendererDir } = options;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`balancer-lab: ${line}\n`));
  const sheddingBytes = options.sheddingBytes ?? DEFAULT_SHEDDING_BYTES;
  const disconnectBytes = options.disconnectBytes ?? DEFAULT_DISCONNECT_BYTES;
  const token = randomBytes(16).toString('hex');
  const clients = new Set<WebSocket>();
  const sockets = new Set<Socket>();
  // Filled in once listening: the Host headers (and so origins) that name this server.
  let allowedAuthorities = new Set<string>();

  const hostAllowed = (hostHeader: string | undefined): hostHeader is string =>
    hostHeader !== undefined && (isWildcard(host) || allowedAuthorities.has(hostHeader.toLowerCase()));

  const server: Server = createServer((req, res) => {
    // Refusing foreign Host headers stops DNS-rebinding pages from reading even the static files.
    if (!hostAllowed(req.headers.host)) {
      sendText(res, 403, 'forbidden\n');
      return;
    }
    serveStatic(rendererDir, req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('error', () => {});

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) {
      rejectUpgrade(socket, 404);
      return;
    }
    const hostHeader = req.headers.host;
    const origin = req.headers.origin;
    const originOk = hostAllowed(hostHeader) && origin !== undefined && origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
    if (!originOk || !tokensEqual(url.searchParams.get('token'), token)) {
      rejectUpgrade(socket, 403);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  });

  function send(ws: WebSocket, frame: WsHostFrame): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(frame), () => {});
  }

  function serveClient(ws: WebSocket): void {
    clients.add(ws);
    let inFlight = 0;
    let shedding = false;
    let droppedWhileShedding = 0;

    const deliver = (events: LabEvent[]): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const buffered = ws.bufferedAmount;
      if (buffered > disconnectBytes) {
        log(`a browser client fell ${Math.round(buffered / 1024 / 1024)} MiB behind; disconnected it (it can reload)`);
        ws.terminate();
        return;
      }
      let outgoing = events;
      if (buffered > sheddingBytes) {
        outgoing = events.filter((event) => !isSheddable(event));
        droppedWhileShedding += events.length - outgoing.length;
        if (!shedding) log('a browser client is slow; dropping its message events until it catches up');
        shedding = true;
      } else if (shedding) {
        log(`the slow browser client caught up; ${droppedWhileShedding} message events were not sent to it`);
        shedding = false;
        droppedWhileShedding = 0;
      }
      if (outgoing.length > 0) send(ws, { kind: 'events', events: outgoing });
    };
    const batcher = new EventBatcher(lab, deliver, options.batch);

    ws.on('error', () => {});
    ws.on('close', () => {
      batcher.dispose();
      clients.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      const frame = parseClientFrame(data, isBinary);
      if (typeof frame === 'string') {
        send(ws, { kind: 'error', error: frame });
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        send(ws, { kind: 'result', id: frame.id, result: { ok: false, error: 'too many commands in flight' } });
        return;
      }
      inFlight++;
      void runCommand(lab, frame.command).then((result) => {
        inFlight--;
        send(ws, { kind: 'result', id: frame.id, result });
      });
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(listenError(host, options.port ?? 0, error));
    server.once('error', onError);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', onError);
      resolvePromise();
    });
  });
  server.on('error', (error) => log(oneLine(`web host error: ${error.message}`)));

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('web host has no TCP address');
  const port = address.port;
  allowedAuthorities = new Set(
    // The bound host itself (e.g. 127.0.0.2) is always allowed; a wildcard bind is reached through loopback names.
    ['127.0.0.1', 'localhost', '::1', ...(isWildcard(host) ? [] : [host])].map((name) =>
      authority(name, port).toLowerCase(),
    ),
  );
  if (!isLoopback(host)) {
    log(`listening on ${authority(host, port)}: anyone who can reach it and has the token can drive the Lab`);
  }
  const urlHost = isWildcard(host) ? '127.0.0.1' : host;
  const url = `http://${authority(urlHost, port)}/?token=${token}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolveClose) => {
      for (const ws of clients) ws.terminate();
      clients.clear();
      wss.close();
      server.close(() => resolveClose());
      // Keep-alive sockets would otherwise hold close() open until they time out.
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return { url, port, token, close };
}
