import type { BackendState, BackendView, BalancerView, ClientView, Decision } from '../../../shared/protocol';
import { backendColor } from '../app/backendColors';
import type { Theme } from '../store/types';
import type { NodeBox, Point, SceneLayout } from './layout';
import type { Particle, Scene } from './scene';

/** Colours read from CSS variables so both themes stay in one stylesheet. */
export interface Palette {
  text: string;
  muted: string;
  card: string;
  border: string;
  guide: string;
  request: string;
  reply: string;
  fail: string;
  conn: string;
  balancer: string;
  states: Record<BackendState, string>;
}

/** What the drawing needs from the store, read once per frame (non-reactive). */
export interface DrawModel {
  balancer: BalancerView | null;
  backends: BackendView[];
  clients: ClientView[];
  /** Distinct source addresses the running traffic uses (drawn on the client card when above 1). */
  trafficSources?: number;
  decision: Decision | null;
  theme: Theme;
  /** Backends picked a moment ago: id → glow strength 0..1 (fades out over DECISION_GLOW_MS). */
  glow: ReadonlyMap<string, number>;
  /** Drawn over each backend card, under the particles (failure handling: canvas/failureDraw.ts). */
  decorateBackend?: (ctx: CanvasRenderingContext2D, node: NodeBox, backend: BackendView) => void;
  /** Drawn over the balancer card (panic mode). */
  decorateBalancer?: (ctx: CanvasRenderingContext2D, node: NodeBox) => void;
}

/** How long a backend card glows after the balancer picked it (animation time). */
export const DECISION_GLOW_MS = 700;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Read the palette from the canvas's computed CSS variables. */
export function readPalette(el: Element): Palette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b1f24'),
    muted: v('--text-muted', '#5b6470'),
    card: v('--surface-raised', '#ffffff'),
    border: v('--border', '#d5dae1'),
    guide: v('--viz-guide', '#c9d0d9'),
    request: v('--viz-request', '#2f6fed'),
    reply: v('--viz-reply', '#14a37f'),
    fail: v('--viz-fail', '#d93a3a'),
    conn: v('--viz-conn', '#7b8cff'),
    balancer: v('--accent', '#2f6fed'),
    states: {
      up: v('--state-up', '#1f9d55'),
      stopped: v('--state-stopped', '#8a939e'),
      killed: v('--state-killed', '#d93a3a'),
      starting: v('--state-starting', '#d99a1e'),
      stopping: v('--state-starting', '#d99a1e'),
      external: v('--state-external', '#2f7fd9'),
    },
  };
}

export function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  const radius = Math.min(r, h / 2, w / 2);
  ctx.beginPath();
  ctx.moveTo(x + radius, y);
  ctx.arcTo(x + w, y, x + w, y + h, radius);
  ctx.arcTo(x + w, y + h, x, y + h, radius);
  ctx.arcTo(x, y + h, x, y, radius);
  ctx.arcTo(x, y, x + w, y, radius);
  ctx.closePath();
}

/** Text clipped to a width with an ellipsis. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

function card(ctx: CanvasRenderingContext2D, node: NodeBox, palette: Palette, accent: string | null): void {
  ctx.save();
  ctx.shadowColor = 'rgba(0,0,0,0.08)';
  ctx.shadowBlur = 6;
  ctx.shadowOffsetY = 1;
  roundRect(ctx, node.x, node.y, node.w, node.h, 8);
  ctx.fillStyle = palette.card;
  ctx.fill();
  ctx.restore();
  roundRect(ctx, node.x, node.y, node.w, node.h, 8);
  ctx.strokeStyle = accent ?? palette.border;
  ctx.lineWidth = 1;
  ctx.stroke();
  if (accent) {
    ctx.save();
    roundRect(ctx, node.x, node.y, node.w, node.h, 8);
    ctx.clip();
    ctx.fillStyle = accent;
    ctx.fillRect(node.x, node.y, 4, node.h);
    ctx.restore();
  }
}

function line(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}

export function lerp(a: Point, b: Point, t: number, out: Point = { x: 0, y: 0 }): Point {
  const k = t < 0 ? 0 : t > 1 ? 1 : t;
  // Ease in-out so dots read as travelling rather than sliding.
  const e = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
  out.x = a.x + (b.x - a.x) * e;
  out.y = a.y + (b.y - a.y) * e;
  return out;
}

function place(p: Point, out: Point): Point {
  out.x = p.x;
  out.y = p.y;
  return out;
}

function clientNode(layout: SceneLayout, clientId: string): NodeBox | undefined {
  return layout.clients.get(clientId) ?? layout.clients.values().next().value;
}

/**
 * Where a particle is now, or null if its nodes are gone. Writes into `out` (a scratch point reused across
 * particles, so a frame of hundreds of dots allocates nothing).
 */
export function particlePosition(p: Particle, layout: SceneLayout, out: Point = { x: 0, y: 0 }): Point | null {
  const client = clientNode(layout, p.clientId);
  const bal = layout.balancer;
  if (!client) return null;
  const backend = p.backendId !== null ? layout.backends.get(p.backendId) : undefined;
  switch (p.leg) {
    case 0:
      return lerp(client.right, bal.left, p.progress, out);
    case 1:
      if (p.outcome === 'pending' || !backend) return place(bal.left, out);
      return lerp(bal.right, backend.left, p.progress, out);
    case 2:
      return place(backend ? backend.left : bal.right, out);
    case 3:
      return backend ? lerp(backend.left, bal.right, p.progress, out) : place(bal.right, out);
    case 4:
      return lerp(bal.left, client.right, p.progress, out);
    default:
      return null;
  }
}

const scratch: Point = { x: 0, y: 0 };

/**
 * All moving dots of one colour as one path and one fill (hundreds of beginPath/arc/fill calls per frame were
 * the canvas's main cost under heavy traffic); fading dots, each with its own alpha, are drawn one by one.
 */
function drawParticles(ctx: CanvasRenderingContext2D, scene: Scene, layout: SceneLayout, palette: Palette): void {
  const colours = [palette.request, palette.reply, palette.fail];
  for (let c = 0; c < colours.length; c++) {
    let any = false;
    ctx.beginPath();
    for (const p of scene.particles) {
      if (p.fading !== null || particleColour(p) !== c) continue;
      const pos = particlePosition(p, layout, scratch);
      if (!pos) continue;
      ctx.moveTo(pos.x + 4.5, pos.y);
      ctx.arc(pos.x, pos.y, 4.5, 0, Math.PI * 2);
      any = true;
    }
    if (any) {
      ctx.fillStyle = colours[c] ?? palette.request;
      ctx.fill();
    }
  }
  for (const p of scene.particles) {
    if (p.fading === null) continue;
    const pos = particlePosition(p, layout, scratch);
    if (!pos) continue;
    ctx.fillStyle = colours[particleColour(p)] ?? palette.request;
    ctx.globalAlpha = Math.max(0, p.fading / 700);
    ctx.beginPath();
    ctx.arc(pos.x, pos.y, 6, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** 0 request, 1 reply (on its way back), 2 failed. */
function particleColour(p: Particle): number {
  if (p.outcome === 'failed') return 2;
  return p.leg >= 3 && p.outcome === 'ok' ? 1 : 0;
}

/** Draw one frame. `ctx` is already scaled to CSS pixels. */
export function drawFrame(
  ctx: CanvasRenderingContext2D,
  layout: SceneLayout,
  model: DrawModel,
  scene: Scene,
  palette: Palette,
): void {
  ctx.clearRect(0, 0, layout.width, layout.height);
  const bal = layout.balancer;

  // Paths first, under the cards.
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = palette.guide;
  ctx.setLineDash([4, 4]);
  for (const client of layout.clients.values()) line(ctx, client.right, bal.left);
  for (const node of layout.backends.values()) line(ctx, bal.right, node.left);
  ctx.setLineDash([]);

  // Open connections: a line per backend, thicker with more connections.
  for (const backend of model.backends) {
    const node = layout.backends.get(backend.id);
    if (!node || backend.activeConnections <= 0) continue;
    ctx.strokeStyle = palette.conn;
    ctx.globalAlpha = 0.75;
    ctx.lineWidth = Math.min(8, 1.5 + Math.log2(1 + backend.activeConnections));
    line(ctx, bal.right, node.left);
    ctx.globalAlpha = 1;
  }

  for (const flash of scene.flashes) {
    const alpha = 1 - flash.age / 900;
    ctx.globalAlpha = Math.max(0, alpha);
    ctx.strokeStyle = palette.fail;
    ctx.lineWidth = 4;
    const node = flash.backendId !== null ? layout.backends.get(flash.backendId) : undefined;
    if (node) line(ctx, bal.right, node.left);
    else {
      roundRect(ctx, bal.x - 4, bal.y - 4, bal.w + 8, bal.h + 8, 12);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  for (const h of scene.highlights) {
    const client = clientNode(layout, h.clientId);
    const node = h.backendId !== null ? layout.backends.get(h.backendId) : undefined;
    ctx.globalAlpha = Math.max(0, 1 - h.age / 700);
    ctx.strokeStyle = h.ok ? palette.reply : palette.fail;
    ctx.lineWidth = 3;
    if (client) line(ctx, client.right, bal.left);
    if (node) line(ctx, bal.right, node.left);
    ctx.globalAlpha = 1;
  }

  drawClients(ctx, layout, model.clients, model.trafficSources ?? 1, palette);
  drawBalancer(ctx, bal, model, palette);
  model.decorateBalancer?.(ctx, bal);
  for (const backend of model.backends) {
    const node = layout.backends.get(backend.id);
    if (!node) continue;
    const colour = backendColor(backend.id, model.theme);
    const glow = model.glow.get(backend.id) ?? 0;
    if (glow > 0) drawGlow(ctx, node, colour, glow);
    drawBackend(ctx, node, backend, palette, layout.compact, colour);
    model.decorateBackend?.(ctx, node, backend);
  }

  if (scene.pulses.length) {
    ctx.fillStyle = palette.conn;
    ctx.beginPath();
    for (const pulse of scene.pulses) {
      const node = layout.backends.get(pulse.backendId);
      if (!node) continue;
      const t = pulse.age / 450;
      const pos =
        pulse.direction === 'up' ? lerp(bal.right, node.left, t, scratch) : lerp(node.left, bal.right, t, scratch);
      ctx.moveTo(pos.x + 2.5, pos.y);
      ctx.arc(pos.x, pos.y, 2.5, 0, Math.PI * 2);
    }
    ctx.fill();
  }

  drawParticles(ctx, scene, layout, palette);
}

function drawClients(
  ctx: CanvasRenderingContext2D,
  layout: SceneLayout,
  clients: ClientView[],
  sources: number,
  palette: Palette,
): void {
  const byId = new Map(clients.map((c) => [c.id, c]));
  for (const node of layout.clients.values()) {
    card(ctx, node, palette, null);
    const client = byId.get(node.id);
    ctx.fillStyle = palette.text;
    ctx.font = `600 12px ${FONT}`;
    ctx.textBaseline = 'middle';
    const detail = sources > 1 ? `${sources} sources` : client?.sourceAddress;
    const twoLines = node.h >= 44 && detail;
    const y = twoLines ? node.y + node.h / 2 - 8 : node.y + node.h / 2;
    ctx.fillText(fitText(ctx, client ? client.id : 'client', node.w - 20), node.x + 10, y);
    if (twoLines && detail) {
      ctx.fillStyle = palette.muted;
      ctx.font = `11px ${FONT}`;
      ctx.fillText(fitText(ctx, detail, node.w - 20), node.x + 10, y + 16);
    }
  }
}

function drawBalancer(ctx: CanvasRenderingContext2D, node: NodeBox, model: DrawModel, palette: Palette): void {
  const b = model.balancer;
  card(ctx, node, palette, palette.balancer);
  const x = node.x + 14;
  const w = node.w - 24;
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = palette.muted;
  ctx.font = `600 10px ${FONT}`;
  ctx.fillText('LOAD BALANCER', x, node.y + 20);
  ctx.fillStyle = palette.text;
  ctx.font = `600 15px ${FONT}`;
  ctx.fillText(b ? `${b.host}:${b.port}` : 'connecting…', x, node.y + 42);
  if (!b) return;
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = palette.balancer;
  ctx.fillText(fitText(ctx, b.algorithm, w), x, node.y + 62);
  ctx.fillStyle = palette.muted;
  ctx.font = `11px ${FONT}`;
  const reason = model.decision ? `→ ${model.decision.backendId}: ${model.decision.reason}` : 'no decision yet';
  ctx.fillText(fitText(ctx, reason, w), x, node.y + 82);
  ctx.fillText(
    `${b.activeConnections} active · ${b.totalConnections} total · ${b.failedConnections} failed`,
    x,
    node.y + 102,
  );
}

/** A soft halo in the backend's colour around its card, `strength` 0..1. */
function drawGlow(ctx: CanvasRenderingContext2D, node: NodeBox, colour: string, strength: number): void {
  ctx.save();
  ctx.globalAlpha = Math.min(1, strength);
  ctx.shadowColor = colour;
  ctx.shadowBlur = 18;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 3;
  roundRect(ctx, node.x - 2, node.y - 2, node.w + 4, node.h + 4, 10);
  ctx.stroke();
  ctx.restore();
}

function drawBackend(
  ctx: CanvasRenderingContext2D,
  node: NodeBox,
  b: BackendView,
  palette: Palette,
  compact: boolean,
  identity: string,
): void {
  const colour = palette.states[b.state];
  card(ctx, node, palette, colour);
  const right = node.x + node.w - 10;
  ctx.textBaseline = 'middle';
  const top = compact ? node.y + node.h / 2 : node.y + 18;

  // Identity dot: the same colour as this backend in the hash ring and the decision lists.
  ctx.fillStyle = identity;
  ctx.beginPath();
  ctx.arc(node.x + 16, top, 4, 0, Math.PI * 2);
  ctx.fill();

  const x = node.x + 26;
  // State pill on the right.
  ctx.font = `600 10px ${FONT}`;
  const label = b.state;
  const pillW = ctx.measureText(label).width + 14;
  const pillH = 16;
  roundRect(ctx, right - pillW, top - pillH / 2, pillW, pillH, 8);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.fillText(label, right - pillW / 2, top + 0.5);
  ctx.textAlign = 'left';

  // Compact cards have one line, so the weight sits left of the pill and the port yields to it.
  const weightText = `w ${b.weight}`;
  ctx.font = `600 11px ${FONT}`;
  const weightW = compact ? ctx.measureText(weightText).width + 8 : 0;
  const titleRoom = Math.max(24, right - pillW - 8 - weightW - x);
  ctx.fillStyle = palette.text;
  ctx.font = `600 13px ${FONT}`;
  const title = `Server ${b.id}`;
  ctx.fillText(fitText(ctx, title, titleRoom), x, top);
  const titleW = Math.min(ctx.measureText(title).width, titleRoom);
  ctx.font = `12px ${FONT}`;
  const port = `:${b.port}`;
  if (titleW + 6 + ctx.measureText(port).width <= titleRoom) {
    ctx.fillStyle = palette.muted;
    ctx.fillText(port, x + titleW + 6, top);
  }
  if (compact) {
    ctx.font = `600 11px ${FONT}`;
    ctx.fillStyle = b.weight === 0 ? palette.fail : palette.muted;
    ctx.textAlign = 'right';
    ctx.fillText(weightText, right - pillW - 6, top);
    ctx.textAlign = 'left';
  }

  if (compact) return;
  const x2 = node.x + 14;
  ctx.fillStyle = palette.muted;
  ctx.font = `11px ${FONT}`;
  ctx.fillText(
    fitText(ctx, `w ${b.weight} · ${b.activeConnections} open · ${b.messagesServed} served`, node.w - 24),
    x2,
    node.y + 40,
  );
  if (node.h >= 70) {
    const parts: string[] = [];
    if (b.weight === 0) parts.push('weight 0: no new connections');
    if (!b.managed) parts.push(`external ${b.host}`);
    else if (b.delayMs) parts.push(`delay ${b.delayMs} ms`);
    if (parts.length) ctx.fillText(fitText(ctx, parts.join(' · '), node.w - 24), x2, node.y + 58);
  }
}
