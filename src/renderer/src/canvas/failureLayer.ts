import type { LabEvent } from '../../../shared/protocol';
import type { LabState } from '../store/types';
import type { DrawModel } from './draw';
import {
  drawBackendCondition,
  drawBalancerPanic,
  drawFailureMotion,
  readFailurePalette,
  type FailurePalette,
} from './failureDraw';
import { conditionOf, FailureScene } from './failureScene';
import type { SceneLayout } from './layout';

/**
 * Everything failure handling adds to the visualiser, behind one small surface the render loop calls:
 * card decorations (down, ejected, drain, maint, faults, queue), panic on the balancer, and the motion
 * (check pulses, retry bounces, queue exits).
 */
export class FailureLayer {
  readonly scene = new FailureScene();
  private palette: FailurePalette;
  /** Lab clock of the newest event seen, and the wall time it was seen at (for countdowns). */
  private labT = -1;
  private wallAt = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.palette = readFailurePalette(canvas);
  }

  set reducedMotion(value: boolean) {
    this.scene.reducedMotion = value;
  }

  refreshPalette(): void {
    this.palette = readFailurePalette(this.canvas);
  }

  /** Feed drained motion events; while the animation is paused no new periodic check pulses are added. */
  ingest(events: readonly LabEvent[], paused: boolean): void {
    this.scene.ingest(events, !paused);
  }

  advance(dt: number): void {
    this.scene.advance(dt);
  }

  /** Card and balancer decorations for this frame, from store state and the Lab clock estimate. */
  decorations(state: Pick<LabState, 'lab' | 'failures'>, wallNow: number): Pick<DrawModel, 'decorateBackend' | 'decorateBalancer'> {
    if (state.lab.t !== this.labT) {
      this.labT = state.lab.t;
      this.wallAt = wallNow;
    }
    const labNow = state.lab.t + (wallNow - this.wallAt);
    const palette = this.palette;
    const panic = state.lab.balancer?.panic ?? false;
    return {
      decorateBackend: (ctx, node, backend) => {
        const condition = conditionOf(backend, state.failures, labNow);
        if (condition.tone !== 'normal' || condition.queueLength > 0 || condition.faults) {
          drawBackendCondition(ctx, node, condition, palette, node.h < 56);
        }
      },
      ...(panic ? { decorateBalancer: (ctx, node) => drawBalancerPanic(ctx, node, palette) } : {}),
    } satisfies Pick<DrawModel, 'decorateBackend' | 'decorateBalancer'>;
  }

  /** Draw the motion over everything else. */
  drawMotion(ctx: CanvasRenderingContext2D, layout: SceneLayout): void {
    drawFailureMotion(ctx, layout, this.scene, this.palette);
  }
}
