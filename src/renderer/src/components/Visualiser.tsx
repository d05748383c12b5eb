import { useEffect, useRef } from 'react';
import { useLab, useServices } from '../app/context';
import { startRenderLoop } from '../canvas/renderLoop';
import { select } from '../store/selectors';
import { LatestDecision, StatsStrip } from './BalancerInfo';
import { PanicBanner } from './PolicyPanel';

/** The centre: stats, latest decision, animation controls and the canvas (drawn outside React). */
export function Visualiser() {
  const { store, motion, clock } = useServices();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const legendRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    return startRenderLoop({ canvas, legend: legendRef.current, store, motion, clock });
  }, [store, motion, clock]);

  return (
    <section className="viz-panel" aria-label="Traffic">
      <div className="viz-toolbar">
        <StatsStrip />
        <AnimationControls />
      </div>
      <LatestDecision />
      <div className="viz-stage">
        <canvas ref={canvasRef} className="viz-canvas" aria-hidden="true" />
        <PanicBanner />
        <div ref={legendRef} className="viz-legend" hidden />
      </div>
    </section>
  );
}

function AnimationControls() {
  const { store, clock } = useServices();
  const paused = useLab(select.animationPaused);
  const toggle = (): void => {
    if (paused) clock.resume();
    else clock.pause();
    store.getState().setAnimationPaused(!paused);
  };
  return (
    <div className="animation-controls">
      <button type="button" className="small" onClick={toggle}>
        {paused ? 'Resume animation' : 'Pause animation'}
      </button>
      <button type="button" className="small" onClick={() => clock.step()}>
        Step animation
      </button>
    </div>
  );
}
