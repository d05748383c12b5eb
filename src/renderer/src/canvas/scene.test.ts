import { describe, expect, it } from 'vitest';
import { ev } from '../testing/fixtures';
import { computeLayout } from './layout';
import { LEG_MS, MAX_PARTICLES, ROUND_TRIP_MS, Scene } from './scene';

const sent = (seq: number, msgId: number, t = 1000 + seq) => ({
  ...ev(seq, 'message.sent', { msgId, clientId: 'c1', text: 'hi' }),
  t,
});

describe('scene', () => {
  it('animates a reply over the whole readable round trip', () => {
    const scene = new Scene();
    scene.ingest([sent(1, 1)]);
    expect(scene.particles).toHaveLength(1);
    scene.advance(LEG_MS[0] + 50);
    // No reply yet: the dot waits at the balancer.
    expect(scene.particles[0]).toMatchObject({ leg: 1, outcome: 'pending' });
    scene.ingest([
      ev(2, 'message.replied', { msgId: 1, clientId: 'c1', connId: 1, backendId: '2', reply: 'r', latencyMs: 1 }),
    ]);
    scene.advance(LEG_MS[1] + LEG_MS[2] + 10);
    expect(scene.particles[0]).toMatchObject({ leg: 3, backendId: '2' });
    scene.advance(ROUND_TRIP_MS);
    expect(scene.particles).toHaveLength(0);
  });

  it('turns a failed message red where it failed and fades it', () => {
    const scene = new Scene();
    scene.ingest([
      sent(1, 1),
      ev(2, 'message.failed', { msgId: 1, clientId: 'c1', connId: null, backendId: null, error: 'no backend' }),
    ]);
    scene.advance(LEG_MS[0] + 1);
    expect(scene.particles[0]).toMatchObject({ outcome: 'failed', leg: 1 });
    expect(scene.particles[0]?.fading).not.toBeNull();
    scene.advance(1000);
    expect(scene.particles).toHaveLength(0);
  });

  it('samples above the rate threshold and caps live particles', () => {
    const scene = new Scene();
    const events = [];
    for (let i = 0; i < 2000; i++) events.push(sent(i + 1, i, 1000 + Math.floor(i / 2)));
    scene.ingest(events);
    expect(scene.sampleEvery).toBeGreaterThan(1);
    expect(scene.particles.length).toBeLessThanOrEqual(MAX_PARTICLES);
  });

  it('pulses bytes only for connections that carry no messages, and flashes resets', () => {
    const scene = new Scene();
    const decision = { algorithm: 'round-robin' as const, backendId: '1', reason: '', candidates: [] };
    scene.ingest([
      ev(1, 'conn.opened', {
        connId: 1,
        clientAddress: '127.0.0.1',
        clientPort: 1,
        backendId: '1',
        decision,
        retried: [],
      }),
      ev(2, 'conn.opened', {
        connId: 2,
        clientAddress: '127.0.0.2',
        clientPort: 2,
        backendId: '1',
        decision,
        retried: [],
      }),
      ev(3, 'conn.bytes', { connId: 1, up: 5, down: 5 }),
      ev(4, 'conn.bytes', { connId: 2, up: 5, down: 0 }),
      ev(5, 'message.replied', { msgId: 1, clientId: 'c1', connId: 2, backendId: '1', reply: 'r', latencyMs: 1 }),
      ev(6, 'conn.closed', {
        connId: 1,
        backendId: '1',
        reason: 'backend-reset',
        bytesUp: 5,
        bytesDown: 5,
        durationMs: 1,
      }),
    ]);
    expect(scene.pulses.map((p) => p.direction)).toEqual(['up', 'down']);
    expect(scene.flashes).toEqual([{ backendId: '1', age: 0 }]);
  });

  it('shows path highlights instead of particles under reduced motion', () => {
    const scene = new Scene();
    scene.reducedMotion = true;
    scene.ingest([
      sent(1, 1),
      ev(2, 'message.replied', { msgId: 1, clientId: 'c1', connId: null, backendId: '2', reply: 'r', latencyMs: 1 }),
    ]);
    expect(scene.particles).toHaveLength(0);
    expect(scene.highlights).toEqual([{ clientId: 'c1', backendId: '2', ok: true, age: 0 }]);
  });
});

describe('layout', () => {
  it('puts clients left, balancer centre and 1..12 backends stacked right inside the canvas', () => {
    for (let n = 1; n <= 12; n++) {
      const ids = Array.from({ length: n }, (_, i) => String(i + 1));
      const layout = computeLayout(800, 500, ['c1'], ids);
      const boxes = [...layout.backends.values()];
      expect(boxes).toHaveLength(n);
      const client = layout.clients.get('c1')!;
      expect(client.x + client.w).toBeLessThan(layout.balancer.x);
      for (let i = 0; i < boxes.length; i++) {
        const box = boxes[i]!;
        expect(box.x).toBeGreaterThan(layout.balancer.x + layout.balancer.w);
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y + box.h).toBeLessThanOrEqual(500);
        if (i > 0) expect(box.y).toBeGreaterThan(boxes[i - 1]!.y + boxes[i - 1]!.h);
      }
    }
  });
});
