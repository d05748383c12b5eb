import type { Candidate } from './types';

/**
 * Whose turn is next, in pool order: remembers the last chosen backend's position and ranks candidates by
 * how many steps after it they come (0 = next in turn). Used by round robin and as the tie-breaker of the
 * score-based algorithms, so equal scores rotate instead of always favouring the first backend.
 */
export class TurnCursor {
  private order: string[] = [];
  private positions = new Map<string, number>();
  /** Pool position of the last chosen backend; -1 before the first pick. */
  private lastPos = -1;

  /** Adopt a new pool order; if the last chosen backend left, its nearest surviving predecessor takes its place. */
  setPool(ids: readonly string[]): void {
    const oldOrder = this.order;
    const oldLast = this.lastPos;
    this.order = ids.slice();
    this.positions = new Map();
    this.order.forEach((id, i) => this.positions.set(id, i));
    this.lastPos = -1;
    if (oldLast < 0) return;
    for (let back = 0; back < oldOrder.length; back++) {
      const id = oldOrder[(oldLast - back + oldOrder.length) % oldOrder.length]!;
      const pos = this.positions.get(id);
      if (pos !== undefined) {
        this.lastPos = pos;
        return;
      }
    }
  }

  /** Learn candidates the pool has not announced (appended in the order seen), so ranks stay well defined. */
  learn(candidates: readonly Candidate[]): void {
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]!.id;
      if (!this.positions.has(id)) {
        this.positions.set(id, this.order.length);
        this.order.push(id);
      }
    }
  }

  /** Steps until this backend's turn: 0 for the one right after the last chosen. Call `learn` first. */
  rank(id: string): number {
    const n = this.order.length;
    const pos = this.positions.get(id) ?? n;
    return (pos - this.lastPos - 1 + n) % n;
  }

  /** Record the chosen backend. */
  advance(id: string): void {
    this.lastPos = this.positions.get(id) ?? -1;
  }
}
