import { fitText, lerp, roundRect } from './draw';
import {
  BOUNCE_LEG_MS,
  CHECK_PULSE_MS,
  QUEUE_EXIT_LIFETIME,
  REROUTE_MS,
  bounceProgress,
  type BackendCondition,
  type FailureScene,
} from './failureScene';
import type { NodeBox, SceneLayout } from './layout';

/** Extra colours for failure handling, read from CSS variables (failures.css). */
export interface FailurePalette {
  ok: string;
  fail: string;
  ejected: string;
  drain: string;
  maint: string;
  card: string;
  text: string;
  muted: string;
  faultBg: string;
  faultText: string;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Queue dots drawn beside a card; more show as "+N". */
const QUEUE_DOTS_SHOWN = 8;

/** Read the failure palette from the canvas's computed CSS variables. */
export function readFailurePalette(el: Element): FailurePalette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    ok: v('--state-up', '#1f9d55'),
    fail: v('--viz-fail', '#d93a3a'),
    ejected: v('--ejected', '#c77700'),
    drain: v('--drain', '#7a5af5'),
    maint: v('--state-stopped', '#8a939e'),
    card: v('--surface-raised', '#ffffff'),
    text: v('--text', '#1b1f24'),
    muted: v('--text-muted', '#5b6470'),
    faultBg: v('--fault-bg', '#fff4e0'),
    faultText: v('--fault-text', '#8a4b00'),
  };
}

function toneColour(tone: BackendCondition['tone'], p: FailurePalette): string | null {
  switch (tone) {
    case 'down':
      return p.fail;
    case 'ejected':
      return p.ejected;
    case 'maint':
      return p.maint;
    case 'drain':
      return p.drain;
    default:
      return null;
  }
}

/**
 * A backend card's condition over the card drawn by drawBackend: dimmed with a red/amber outline when down
 * or ejected, hatched when draining, grey with a wrench when in maintenance, a fault tag, and the queue.
 */
export function drawBackendCondition(
  ctx: CanvasRenderingContext2D,
  node: NodeBox,
  c: BackendCondition,
  p: FailurePalette,
  compact: boolean,
): void {
  const colour = toneColour(c.tone, p);
  ctx.save();
  if (c.tone === 'down' || c.tone === 'ejected' || c.tone === 'maint') {
    // Dim: wash the card with its own background so text and dots fade back.
    roundRect(ctx, node.x, node.y, node.w, node.h, 8);
    ctx.globalAlpha = c.tone === 'maint' ? 0.6 : 0.45;
    ctx.fillStyle = c.tone === 'maint' ? p.maint : p.card;
    if (c.tone === 'maint') ctx.globalAlpha = 0.28;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  if (c.admin === 'drain') drawHatch(ctx, node, p.drain);
  if (colour) {
    roundRect(ctx, node.x - 1, node.y - 1, node.w + 2, node.h + 2, 9);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    if (c.tone === 'maint') ctx.setLineDash([5, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // Labels sit on the card's bottom line (compact cards: centred on their one line, left of the state pill).
  ctx.font = `600 10px ${FONT}`;
  ctx.textBaseline = 'middle';
  const y = compact ? node.y + node.h / 2 : node.y + node.h - 12;
  let right = compact ? node.x + node.w - 64 : node.x + node.w - 10;
  if (c.label && colour) {
    const icon = c.tone === 'maint' ? 12 : 0;
    const w = ctx.measureText(c.label).width + 12 + icon;
    roundRect(ctx, right - w, y - 8, w, 16, 8);
    ctx.fillStyle = colour;
    ctx.fill();
    if (icon) drawWrench(ctx, right - w + 9, y, '#ffffff');
    ctx.fillStyle = '#ffffff';
    ctx.textAlign = 'left';
    ctx.fillText(c.label, right - w + 6 + icon, y + 0.5);
    right -= w + 4;
  }
  if (c.faults && !compact) {
    const room = right - (node.x + 10);
    if (room > 30) {
      const text = fitText(ctx, c.faults, Math.min(room - 10, 150));
      const w = ctx.measureText(text).width + 10;
      roundRect(ctx, right - w, y - 8, w, 16, 4);
      ctx.fillStyle = p.faultBg;
      ctx.fill();
      ctx.fillStyle = p.faultText;
      ctx.fillText(text, right - w + 5, y + 0.5);
    }
  }
  ctx.restore();
  drawQueue(ctx, node, c, p);
}

/** Diagonal stripes over a card (draining: open connections finish, nothing new arrives). */
function drawHatch(ctx: CanvasRenderingContext2D, node: NodeBox, colour: string): void {
  ctx.save();
  roundRect(ctx, node.x, node.y, node.w, node.h, 8);
  ctx.clip();
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.16;
  ctx.lineWidth = 4;
  ctx.beginPath();
  for (let x = node.x - node.h; x < node.x + node.w; x += 12) {
    ctx.moveTo(x, node.y + node.h);
    ctx.lineTo(x + node.h, node.y);
  }
  ctx.stroke();
  ctx.restore();
}

/** A small wrench: a handle and an open ring head. */
function drawWrench(ctx: CanvasRenderingContext2D, cx: number, cy: number, colour: string): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.6;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(cx - 3.5, cy + 3.5);
  ctx.lineTo(cx + 1, cy - 1);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(cx + 2.3, cy - 2.3, 2.2, Math.PI * 0.9, Math.PI * 2.6);
  ctx.stroke();
  ctx.restore();
}

/** Waiting connections as a column of dots just left of the card, bottom up; "+N" beyond the shown few. */
function drawQueue(ctx: CanvasRenderingContext2D, node: NodeBox, c: BackendCondition, p: FailurePalette): void {
  if (c.queueLength <= 0) return;
  const shown = Math.min(c.queueLength, QUEUE_DOTS_SHOWN);
  const x = node.x - 9;
  const step = Math.min(7, (node.h - 4) / QUEUE_DOTS_SHOWN);
  ctx.save();
  ctx.fillStyle = p.ejected;
  for (let i = 0; i < shown; i++) {
    ctx.beginPath();
    ctx.arc(x, node.y + node.h - 4 - i * step, 2.6, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.font = `600 10px ${FONT}`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = p.ejected;
  const label = c.queueLength > shown ? `+${c.queueLength - shown}` : `${c.queueLength}`;
  ctx.fillText(label, x - 6, node.y + node.h - 4 - (shown - 1) * step);
  ctx.restore();
}

/** The balancer card in panic mode: a red outline and a "PANIC" pill. */
export function drawBalancerPanic(ctx: CanvasRenderingContext2D, node: NodeBox, p: FailurePalette): void {
  ctx.save();
  roundRect(ctx, node.x - 2, node.y - 2, node.w + 4, node.h + 4, 10);
  ctx.strokeStyle = p.fail;
  ctx.lineWidth = 2.5;
  ctx.stroke();
  ctx.font = `700 10px ${FONT}`;
  ctx.textBaseline = 'middle';
  const text = 'PANIC: all backends';
  const w = ctx.measureText(text).width + 14;
  const x = node.x + node.w - w - 8;
  roundRect(ctx, x, node.y + 8, w, 16, 8);
  ctx.fillStyle = p.fail;
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.fillText(text, x + 7, node.y + 16.5);
  ctx.restore();
}

/** Health check pulses, retry bounces, reroutes and queue exits, over everything else. */
export function drawFailureMotion(
  ctx: CanvasRenderingContext2D,
  layout: SceneLayout,
  scene: FailureScene,
  p: FailurePalette,
): void {
  const bal = layout.balancer;
  ctx.save();
  for (const pulse of scene.checks.values()) {
    const node = layout.backends.get(pulse.backendId);
    if (!node) continue;
    const pos = lerp(bal.right, node.left, pulse.age / CHECK_PULSE_MS);
    ctx.fillStyle = pulse.ok ? p.ok : p.fail;
    ctx.globalAlpha = 0.85;
    ctx.beginPath();
    ctx.arc(pos.x, pos.y - 5, 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;

  for (const b of scene.bounces) {
    const node = layout.backends.get(b.backendId);
    if (!node) continue;
    if (scene.reducedMotion) {
      // A brief red mark on the failed path instead of a moving dot.
      markPath(ctx, bal.right, node.left, p.fail, 1 - b.age / (BOUNCE_LEG_MS * 2));
      continue;
    }
    const t = bounceProgress(b);
    if (t === null) continue;
    const pos = lerp(bal.right, node.left, t);
    ctx.fillStyle = p.fail;
    ctx.beginPath();
    ctx.arc(pos.x, pos.y, 4.5, 0, Math.PI * 2);
    ctx.fill();
    // A small "x" where it hit the backend.
    if (b.age > BOUNCE_LEG_MS * 0.8 && b.age < BOUNCE_LEG_MS * 1.4) {
      ctx.strokeStyle = p.fail;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(node.left.x - 12, node.left.y - 4);
      ctx.lineTo(node.left.x - 4, node.left.y + 4);
      ctx.moveTo(node.left.x - 12, node.left.y + 4);
      ctx.lineTo(node.left.x - 4, node.left.y - 4);
      ctx.stroke();
    }
  }

  for (const r of scene.reroutes) {
    const node = layout.backends.get(r.backendId);
    if (!node || r.age < r.delay) continue;
    const t = (r.age - r.delay) / REROUTE_MS;
    ctx.fillStyle = p.ok;
    if (scene.reducedMotion) {
      markPath(ctx, bal.right, node.left, p.ok, 1 - t);
      continue;
    }
    const pos = lerp(bal.right, node.left, t);
    ctx.beginPath();
    ctx.arc(pos.x, pos.y, 4.5, 0, Math.PI * 2);
    ctx.fill();
  }

  for (const q of scene.queueExits) {
    const node = layout.backends.get(q.backendId);
    if (!node) continue;
    const t = q.age / QUEUE_EXIT_LIFETIME;
    const from = { x: node.x - 9, y: node.y + node.h - 4 };
    ctx.globalAlpha = Math.max(0, 1 - t);
    ctx.fillStyle = q.ok ? p.ok : p.fail;
    // Connected: slides into the card. Timed out: swells and fades where it waited.
    const pos = q.ok && !scene.reducedMotion ? lerp(from, { x: node.x + 8, y: node.y + node.h / 2 }, t) : from;
    ctx.beginPath();
    ctx.arc(pos.x, pos.y, q.ok ? 2.6 : 2.6 + 4 * t, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}

/** Reduced motion: a fading stroke along a path stands in for a travelling dot. */
function markPath(
  ctx: CanvasRenderingContext2D,
  from: { x: number; y: number },
  to: { x: number; y: number },
  colour: string,
  alpha: number,
): void {
  ctx.globalAlpha = Math.max(0, alpha);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
  ctx.globalAlpha = 1;
}
