import type { Candidate } from './types';

/**
 * "Is owner #i among this pick's candidates?" without allocating per pick: owners are numbered when a
 * table is built, and each pick stamps the eligible ones with a fresh generation number.
 */
export class EligibleSet {
  private index = new Map<string, number>();
  private stamps = new Uint32Array(0);
  private generation = 0;

  /** Number the owners (backend ids) of a freshly built table. */
  reset(ids: readonly string[]): void {
    this.index = new Map();
    ids.forEach((id, i) => this.index.set(id, i));
    this.stamps = new Uint32Array(ids.length);
    this.generation = 0;
  }

  /** Owner number of a backend id, if the table knows it. */
  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  /** Mark this pick's candidates; returns how many of them the table knows. */
  mark(candidates: readonly Candidate[]): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      // Wrapped after 2^32 picks: clear so stale stamps cannot match.
      this.stamps.fill(0);
      this.generation = 1;
    }
    let known = 0;
    for (let i = 0; i < candidates.length; i++) {
      const idx = this.index.get(candidates[i]!.id);
      if (idx !== undefined) {
        this.stamps[idx] = this.generation;
        known++;
      }
    }
    return known;
  }

  /** True when owner #idx was among the candidates of the last `mark`. */
  has(idx: number): boolean {
    return this.stamps[idx] === this.generation;
  }
}
