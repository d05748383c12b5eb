import type { LabEvent } from '../../../shared/protocol';

/** Leg durations (ms of animation time): client→balancer, balancer→backend, pause, backend→balancer, balancer→client. */
export const LEG_MS = [300, 300, 150, 225, 225] as const;
/** Live particle cap; beyond it new messages are not drawn. */
export const MAX_PARTICLES = 400;
/** Above this many messages per second the scene draws one dot per N messages. */
export const MAX_DOTS_PER_SECOND = 40;
const FADE_MS = 700;
const PULSE_MS = 450;
const FLASH_MS = 900;
const HIGHLIGHT_MS = 700;
/** A request nobody answers within this (animation) time is let go. */
const HOLD_LIMIT_MS = 8000;
const SAMPLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** One message on its round trip. */
export interface Particle {
  msgId: number;
  clientId: string;
  /** Backend that answered or failed; null until known. */
  backendId: string | null;
  outcome: 'pending' | 'ok' | 'failed';
  /** Index into LEG_MS. */
  leg: number;
  /** 0..1 along the current leg. */
  progress: number;
  /** Time spent waiting at the balancer for the outcome. */
  held: number;
  /** Remaining fade time once failed at its failure point; null while moving. */
  fading: number | null;
}

/** A small dot of bytes on an external connection's line. */
export interface Pulse {
  backendId: string;
  direction: 'up' | 'down';
  age: number;
}

/** A red flash on a backend's line (connection reset) or at the balancer (no backend). */
export interface Flash {
  backendId: string | null;
  age: number;
}

/** Reduced-motion stand-in for a particle: the path lights up briefly. */
export interface Highlight {
  clientId: string;
  backendId: string | null;
  ok: boolean;
  age: number;
}

/**
 * The animation model, fed by real Lab events and advanced by animation-clock deltas. Pure (no DOM),
 * so the arithmetic is testable; drawing reads it.
 */
export class Scene {
  particles: Particle[] = [];
  pulses: Pulse[] = [];
  flashes: Flash[] = [];
  highlights: Highlight[] = [];
  /** Draw one dot per this many messages. */
  sampleEvery = 1;
  reducedMotion = false;

  private byMsg = new Map<number, Particle>();
  private connBackend = new Map<number, string>();
  /** Connections that carry Lab-client messages; their bytes are already shown as particles. */
  private messageConns = new Set<number>();
  /** Sent counts per 100 ms bucket of Lab time, for the sampling rate. */
  private buckets = new Map<number, number>();

  /** Turn a drained batch of motion events into particles, pulses and flashes. */
  ingest(events: readonly LabEvent[]): void {
    const batchMessageConns = new Set<number>();
    const bytes: { connId: number; backendId: string | undefined; up: number; down: number }[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'message.sent':
          this.countSent(event.t);
          if (this.reducedMotion) break;
          if (event.msgId % this.sampleEvery !== 0 || this.particles.length >= MAX_PARTICLES) break;
          this.addParticle(event.msgId, event.clientId);
          break;
        case 'message.replied':
        case 'message.failed': {
          const ok = event.type === 'message.replied';
          if (event.connId !== null) {
            this.remember(this.messageConns, event.connId);
            batchMessageConns.add(event.connId);
          }
          if (this.reducedMotion) {
            if (event.msgId % this.sampleEvery === 0 || !ok) this.addHighlight(event.clientId, event.backendId, ok);
            break;
          }
          const p = this.byMsg.get(event.msgId);
          if (!p) break;
          p.backendId = event.backendId;
          p.outcome = ok ? 'ok' : 'failed';
          break;
        }
        case 'conn.opened':
          this.connBackend.set(event.connId, event.backendId);
          break;
        case 'conn.bytes':
          // Resolve the backend now: the connection may close later in this same batch.
          bytes.push({
            connId: event.connId,
            backendId: this.connBackend.get(event.connId),
            up: event.up,
            down: event.down,
          });
          break;
        case 'conn.closed':
          this.connBackend.delete(event.connId);
          this.messageConns.delete(event.connId);
          if (event.reason === 'backend-reset' || event.reason === 'error' || event.reason === 'no-backend') {
            if (this.flashes.length < 100)
              this.flashes.push({ backendId: event.reason === 'no-backend' ? null : event.backendId, age: 0 });
          }
          break;
        case 'backend.removed':
          for (const p of this.particles) {
            if (p.backendId === event.backendId && p.fading === null) p.fading = FADE_MS;
          }
          break;
        default:
          break;
      }
    }
    // Bytes are judged after the whole batch, since a message's reply may follow its bytes.
    for (const b of bytes) {
      if (this.messageConns.has(b.connId) || batchMessageConns.has(b.connId)) continue;
      const backendId = b.backendId;
      if (!backendId || this.pulses.length >= 200) continue;
      if (b.up > 0) this.pulses.push({ backendId, direction: 'up', age: 0 });
      if (b.down > 0) this.pulses.push({ backendId, direction: 'down', age: 0 });
    }
  }

  /** Advance everything by `dt` ms of animation time. */
  advance(dt: number): void {
    if (dt <= 0) return;
    const alive: Particle[] = [];
    for (const p of this.particles) {
      if (advanceParticle(p, dt)) alive.push(p);
      else this.byMsg.delete(p.msgId);
    }
    this.particles = alive;
    this.pulses = ageOut(this.pulses, dt, PULSE_MS);
    this.flashes = ageOut(this.flashes, dt, FLASH_MS);
    this.highlights = ageOut(this.highlights, dt, HIGHLIGHT_MS);
  }

  /** Messages per second over the last second of Lab time. */
  rate(): number {
    let sum = 0;
    for (const count of this.buckets.values()) sum += count;
    return sum;
  }

  private countSent(t: number): void {
    const bucket = Math.floor(t / 100);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    for (const key of this.buckets.keys()) if (key <= bucket - 10) this.buckets.delete(key);
    const rate = this.rate();
    this.sampleEvery = SAMPLE_STEPS.find((n) => rate / n <= MAX_DOTS_PER_SECOND) ?? 5000;
  }

  private addParticle(msgId: number, clientId: string): void {
    const p: Particle = {
      msgId,
      clientId,
      backendId: null,
      outcome: 'pending',
      leg: 0,
      progress: 0,
      held: 0,
      fading: null,
    };
    this.particles.push(p);
    this.byMsg.set(msgId, p);
  }

  private addHighlight(clientId: string, backendId: string | null, ok: boolean): void {
    if (this.highlights.length >= 50) this.highlights.shift();
    this.highlights.push({ clientId, backendId, ok, age: 0 });
  }

  private remember(set: Set<number>, id: number): void {
    set.add(id);
    if (set.size > 5000) {
      const oldest = set.values().next().value;
      if (oldest !== undefined) set.delete(oldest);
    }
  }
}

function ageOut<T extends { age: number }>(items: T[], dt: number, lifetime: number): T[] {
  const out: T[] = [];
  for (const item of items) {
    item.age += dt;
    if (item.age < lifetime) out.push(item);
  }
  return out;
}

/** Where a failed message stops: at the backend if one was involved, else at the balancer. */
function failureLeg(p: Particle): number {
  return p.backendId === null ? 1 : 2;
}

/** Move one particle by dt; false when it is done. */
export function advanceParticle(p: Particle, dt: number): boolean {
  let left = dt;
  // Bounded: each pass either finishes a leg or consumes all remaining time.
  for (let guard = 0; guard < 16 && left > 0; guard++) {
    if (p.fading !== null) {
      p.fading -= left;
      return p.fading > 0;
    }
    if (p.outcome === 'failed' && p.leg >= failureLeg(p)) {
      p.leg = failureLeg(p);
      p.progress = 0;
      p.fading = FADE_MS;
      continue;
    }
    if (p.leg === 1 && p.outcome === 'pending') {
      // Waiting at the balancer for the real outcome.
      p.held += left;
      if (p.held > HOLD_LIMIT_MS) p.fading = FADE_MS;
      return true;
    }
    const duration = LEG_MS[p.leg] ?? 0;
    const remaining = (1 - p.progress) * duration;
    if (left < remaining) {
      p.progress += left / duration;
      return true;
    }
    left -= remaining;
    p.leg += 1;
    p.progress = 0;
    if (p.leg >= LEG_MS.length) return false;
  }
  return true;
}

/** Total animation time for a full round trip. */
export const ROUND_TRIP_MS = LEG_MS.reduce((a, b) => a + b, 0);
