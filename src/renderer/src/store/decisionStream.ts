import type { Decision } from '../../../shared/protocol';

/** The stream shows at most this many decisions, newest first. */
export const STREAM_LIMIT = 8;
/** At most one decision per this many ms of Lab time joins the stream (≈4 per second), so it stays readable. */
export const STREAM_MIN_GAP_MS = 250;
/** Rate window: decisions are counted in buckets of this size over the last RATE_WINDOW_MS. */
const BUCKET_MS = 100;
const RATE_WINDOW_MS = 1000;

/** A decision kept in the stream. */
export interface StreamEntry {
  /** Seq of the conn.opened event (stable React key). */
  seq: number;
  /** Lab clock when it was made. */
  t: number;
  decision: Decision;
}

/** A sampled view of the balancer's decisions: a few kept ones plus counts for the rate. */
export interface DecisionStream {
  /** Newest first, at most STREAM_LIMIT. */
  entries: StreamEntry[];
  /** Lab time of the newest kept entry; null before the first. */
  lastKeptT: number | null;
  /** Lab time of the newest decision seen (kept or not); null before the first. */
  lastT: number | null;
  /** [bucket index, count] pairs for the last RATE_WINDOW_MS, oldest first. */
  buckets: [number, number][];
  /** Decisions seen in all, kept or not. */
  seen: number;
}

/** A stream with nothing in it. */
export function emptyDecisionStream(): DecisionStream {
  return { entries: [], lastKeptT: null, lastT: null, buckets: [], seen: 0 };
}

/**
 * Add one decision made at Lab time `t` (pure). It joins the visible list only when at least
 * STREAM_MIN_GAP_MS passed since the last one that joined; every decision counts toward the rate.
 * A clock that went backwards (a new Lab after a reconnect) starts sampling afresh.
 */
export function addDecision(stream: DecisionStream, decision: Decision, t: number, seq: number): DecisionStream {
  const restarted = stream.lastT !== null && t < stream.lastT;
  const base = restarted ? emptyDecisionStream() : stream;
  const keep = base.lastKeptT === null || t - base.lastKeptT >= STREAM_MIN_GAP_MS;
  return {
    entries: keep ? [{ seq, t, decision }, ...base.entries].slice(0, STREAM_LIMIT) : base.entries,
    lastKeptT: keep ? t : base.lastKeptT,
    lastT: t,
    buckets: countInBucket(base.buckets, t),
    seen: base.seen + 1,
  };
}

function countInBucket(buckets: [number, number][], t: number): [number, number][] {
  const bucket = Math.floor(t / BUCKET_MS);
  const oldest = bucket - RATE_WINDOW_MS / BUCKET_MS + 1;
  const out: [number, number][] = [];
  for (const entry of buckets) if (entry[0] >= oldest && entry[0] !== bucket) out.push(entry);
  const current = buckets.find((entry) => entry[0] === bucket);
  out.push([bucket, (current?.[1] ?? 0) + 1]);
  return out;
}

/** Decisions per second over the second of Lab time ending at `now` (0 when nothing happened in it). */
export function decisionRate(stream: DecisionStream, now: number): number {
  const bucket = Math.floor(now / BUCKET_MS);
  const oldest = bucket - RATE_WINDOW_MS / BUCKET_MS + 1;
  let sum = 0;
  for (const [index, count] of stream.buckets) if (index >= oldest && index <= bucket) sum += count;
  return sum * (1000 / RATE_WINDOW_MS);
}
