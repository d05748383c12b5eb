import type { RingView } from '../../../shared/protocol';

/** Size of the 32-bit hash space. */
export const HASH_SPACE = 2 ** 32;

/** A run of the ring owned by one backend: hashes in (from, to], `from` may be negative when it wraps past 0. */
export interface RingArc {
  from: number;
  to: number;
  backendId: string;
}

/**
 * The ring as arcs: a key goes to the first point at or after its hash, so point i owns (point i-1, point i];
 * the first point also owns the wrap-around from the last. Neighbouring arcs of one backend are merged.
 */
export function ringArcs(points: RingView['points']): RingArc[] {
  const arcs: RingArc[] = [];
  const last = points[points.length - 1];
  if (!last) return arcs;
  let previous = last.hash - HASH_SPACE;
  for (const point of points) {
    const tail = arcs[arcs.length - 1];
    if (tail && tail.backendId === point.backendId) tail.to = point.hash;
    else arcs.push({ from: previous, to: point.hash, backendId: point.backendId });
    previous = point.hash;
  }
  return arcs;
}

/** Fraction of the hash space each backend owns, from the (possibly sampled) points. */
export function ringShares(points: RingView['points']): Map<string, number> {
  const shares = new Map<string, number>();
  for (const arc of ringArcs(points)) {
    shares.set(arc.backendId, (shares.get(arc.backendId) ?? 0) + (arc.to - arc.from) / HASH_SPACE);
  }
  return shares;
}

/** A point at `radius` for a hash: 0 at the top, growing clockwise. */
export function hashPoint(hash: number, radius: number, cx: number, cy: number): { x: number; y: number } {
  const angle = (hash / HASH_SPACE) * Math.PI * 2;
  return { x: cx + radius * Math.sin(angle), y: cy - radius * Math.cos(angle) };
}

/** SVG path for an arc from hash `from` to hash `to` (clockwise); a whole circle when it spans everything. */
export function arcPath(from: number, to: number, radius: number, cx: number, cy: number): string {
  const span = to - from;
  if (span >= HASH_SPACE - 1) {
    // An SVG arc cannot start and end at the same point: draw the circle as two halves.
    return `M ${cx} ${cy - radius} A ${radius} ${radius} 0 1 1 ${cx} ${cy + radius} A ${radius} ${radius} 0 1 1 ${cx} ${cy - radius}`;
  }
  const a = hashPoint(from, radius, cx, cy);
  const b = hashPoint(to, radius, cx, cy);
  const large = span > HASH_SPACE / 2 ? 1 : 0;
  return `M ${a.x.toFixed(2)} ${a.y.toFixed(2)} A ${radius} ${radius} 0 ${large} 1 ${b.x.toFixed(2)} ${b.y.toFixed(2)}`;
}

/** The source-hash table slot a client hash lands in (hash mod table size), as the engine computes it. */
export function tableSlot(hash: number, size: number): number {
  return size > 0 ? hash % size : 0;
}

/** Clients per backend id (null = unmapped), in first-seen order. */
export function clientsPerBackend(clients: RingView['clients']): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const client of clients) counts.set(client.backendId, (counts.get(client.backendId) ?? 0) + 1);
  return counts;
}
