import type { StoreApi } from 'zustand/vanilla';
import type { LabStore } from '../store/labStore';
import type { MotionQueue } from '../store/motion';
import { orderedBackends } from '../store/selectors';
import type { AnimationClock } from './clock';
import type { Decision } from '../../../shared/protocol';
import { DECISION_GLOW_MS, drawFrame, readPalette, type Palette } from './draw';
import { computeLayout, type SceneLayout } from './layout';
import { FailureLayer } from './failureLayer';
import { Scene } from './scene';

export interface RenderLoopOptions {
  canvas: HTMLCanvasElement;
  /** Element whose text shows the sampling legend ("1 dot = N messages"); hidden when not sampling. */
  legend: HTMLElement | null;
  store: StoreApi<LabStore>;
  motion: MotionQueue;
  clock: AnimationClock;
}

/** A frame's advance is capped so a long-hidden tab does not jump every particle to its end at once. */
const MAX_FRAME_DT = 250;

/**
 * Runs the visualiser outside React: a requestAnimationFrame loop that drains the motion queue,
 * advances the scene by the animation clock and draws. Returns a stop function.
 */
export function startRenderLoop({ canvas, legend, store, motion, clock }: RenderLoopOptions): () => void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return () => undefined;
  const scene = new Scene();
  const reducedMotionQuery = window.matchMedia('(prefers-reduced-motion: reduce)');
  scene.reducedMotion = reducedMotionQuery.matches;
  const failures = new FailureLayer(canvas);
  failures.reducedMotion = reducedMotionQuery.matches;
  const onReducedMotion = (e: MediaQueryListEvent): void => {
    scene.reducedMotion = e.matches;
    failures.reducedMotion = e.matches;
  };
  reducedMotionQuery.addEventListener('change', onReducedMotion);

  let palette: Palette = readPalette(canvas);
  let layout: SceneLayout | null = null;
  let layoutKey = '';
  let cssWidth = 0;
  let cssHeight = 0;
  let dpr = 1;
  let lastLegend = '';
  let lastClock = clock.now();
  let frame = 0;
  let stopped = false;
  /** The decision last seen in the store, and when (animation time) each backend was last picked. */
  let seenDecision: Decision | null = store.getState().latestDecision;
  const pickedAt = new Map<string, number>();
  const glow = new Map<string, number>();

  const resize = (): void => {
    const rect = canvas.getBoundingClientRect();
    dpr = window.devicePixelRatio || 1;
    cssWidth = Math.max(1, Math.round(rect.width));
    cssHeight = Math.max(1, Math.round(rect.height));
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(cssHeight * dpr);
    layoutKey = '';
  };
  const observer = new ResizeObserver(resize);
  observer.observe(canvas);
  resize();

  // Theme changes swap CSS variables; re-read them after the attribute lands.
  const unsubscribeTheme = store.subscribe((state, prev) => {
    if (state.ui.theme !== prev.ui.theme) requestAnimationFrame(() => {
        palette = readPalette(canvas);
        failures.refreshPalette();
      });
  });

  const tick = (): void => {
    if (stopped) return;
    const state = store.getState();
    const backends = orderedBackends(state);
    const clients = state.lab.clients;
    const key = `${cssWidth}x${cssHeight}|${clients.map((c) => c.id).join(',')}|${state.lab.backendOrder.join(',')}`;
    if (key !== layoutKey || !layout) {
      layout = computeLayout(
        cssWidth,
        cssHeight,
        clients.map((c) => c.id),
        state.lab.backendOrder,
      );
      layoutKey = key;
    }

    const events = motion.drain();
    if (events.length) {
      scene.ingest(events);
      failures.ingest(events, clock.isPaused());
    }
    const now = clock.now();
    scene.advance(Math.min(MAX_FRAME_DT, now - lastClock));
    failures.advance(Math.min(MAX_FRAME_DT, now - lastClock));
    lastClock = now;

    // A new latest decision lights its backend up; older glows fade by animation time (so they freeze when paused).
    if (state.latestDecision !== seenDecision) {
      seenDecision = state.latestDecision;
      if (seenDecision) pickedAt.set(seenDecision.backendId, now);
    }
    glow.clear();
    for (const [id, at] of pickedAt) {
      const age = now - at;
      if (age >= DECISION_GLOW_MS || !(id in state.lab.backends)) pickedAt.delete(id);
      // Reduced motion: a steady marker on the latest pick instead of a fading pulse.
      else if (scene.reducedMotion) glow.set(id, seenDecision?.backendId === id ? 0.6 : 0);
      else glow.set(id, 1 - age / DECISION_GLOW_MS);
    }

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawFrame(
      ctx,
      layout,
      {
        balancer: state.lab.balancer,
        backends,
        clients,
        trafficSources: state.lab.traffic.running ? (state.lab.traffic.clients ?? 1) : 1,
        decision: state.latestDecision,
        theme: state.ui.theme,
        glow,
        ...failures.decorations(state, performance.now()),
      },
      scene,
      palette,
    );
    failures.drawMotion(ctx, layout);

    const text = scene.sampleEvery > 1 ? `1 dot = ${scene.sampleEvery} messages` : '';
    if (legend && text !== lastLegend) {
      legend.textContent = text;
      legend.hidden = text === '';
      lastLegend = text;
    }
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);

  return () => {
    stopped = true;
    cancelAnimationFrame(frame);
    observer.disconnect();
    unsubscribeTheme();
    reducedMotionQuery.removeEventListener('change', onReducedMotion);
  };
}
