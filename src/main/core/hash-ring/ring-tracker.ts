import type { BackendView, RingClient, RingView } from '../../../shared/protocol';
import type { Algorithm, Candidate, ConsistentHashAlgorithm, SourceHashAlgorithm } from '../algorithms';
import { clientKey, hash32 } from '../algorithms/hash';

/** Most client keys a ring view carries (the Lab's own clients first, then the most recently seen). */
export const RING_CLIENT_LIMIT = 256;
/** Most table slots a source-hash view carries; bigger tables are sampled evenly. */
export const TABLE_VIEW_LIMIT = 1024;
const HASH_SPACE = 4294967296;

/** A backend as the ring tracker needs it: its view plus whether the balancer would pick it now. */
export interface RingPoolEntry {
  view: BackendView;
  /** From the balancer: up for new connections (undefined = not in the balancer's pool). */
  available: boolean | undefined;
}

type HashAlgorithm =
  | { kind: 'consistent-hash'; algorithm: ConsistentHashAlgorithm }
  | { kind: 'source-hash'; algorithm: SourceHashAlgorithm };

function asHashAlgorithm(algorithm: Algorithm): HashAlgorithm | null {
  if (algorithm.name === 'consistent-hash' && 'ringView' in algorithm)
    return { kind: 'consistent-hash', algorithm: algorithm as ConsistentHashAlgorithm };
  if (algorithm.name === 'source-hash' && 'tableView' in algorithm)
    return { kind: 'source-hash', algorithm: algorithm as SourceHashAlgorithm };
  return null;
}

/** Would the balancer offer this backend to the algorithm for a new connection? Mirrors Balancer.choose. */
function eligible(entry: RingPoolEntry): boolean {
  const v = entry.view;
  return (
    entry.available === true &&
    v.weight > 0 &&
    (v.admin ?? 'ready') === 'ready' &&
    v.health?.status !== 'unhealthy' &&
    !v.ejection
  );
}

/**
 * Issue #4's hash view: which backend each known client address maps to under consistent-hash or
 * source-hash, the ring points (or table slots), and who moved at the last pool change. Client backends
 * come from the algorithm's own pick over the eligible pool, so the view is exactly where the next
 * connection from that address would go (including walks past backends that are down).
 */
export class RingTracker {
  private hashAlgorithm: HashAlgorithm | null = null;
  /** Known client keys, oldest first; pinned ones (the Lab's clients) are never evicted. */
  private readonly addresses = new Map<string, boolean>();
  private readonly assignment = new Map<string, string | null>();
  private movedFrom = new Map<string, string | null>();
  private moved = 0;
  private total = 0;
  private poolSignature = '';
  private current: RingView | null = null;
  /** The raw address last passed to addClient while it is still the most recent key (null otherwise). */
  private lastRaw: string | null = null;

  constructor(
    private readonly pool: () => RingPoolEntry[],
    private readonly limit = RING_CLIENT_LIMIT,
  ) {}

  /** The view as last computed (null when the algorithm is not a hash). */
  get view(): RingView | null {
    return this.current;
  }

  /** Switch algorithm: a fresh view (no moves), or null for a non-hash algorithm. */
  setAlgorithm(algorithm: Algorithm): RingView | null {
    this.hashAlgorithm = asHashAlgorithm(algorithm);
    this.movedFrom = new Map();
    this.moved = 0;
    this.total = 0;
    this.assignment.clear();
    this.poolSignature = this.signature(this.pool());
    this.current = this.compute(false);
    return this.current;
  }

  /** Record client addresses (pinned: the Lab's own clients); true when a new one appeared under a hash algorithm. */
  addClients(addresses: Iterable<string>, pinned = false): boolean {
    this.lastRaw = null;
    let added = false;
    for (const raw of addresses) {
      const address = clientKey(raw);
      const known = this.addresses.get(address);
      if (known !== undefined) {
        if (pinned && !known) this.addresses.set(address, true);
        else if (!known) {
          // Refresh recency so the busiest addresses survive eviction.
          this.addresses.delete(address);
          this.addresses.set(address, false);
        }
        continue;
      }
      this.addresses.set(address, pinned);
      added = true;
    }
    if (this.addresses.size > this.limit) this.evict();
    return added && this.hashAlgorithm !== null;
  }

  /**
   * One connection's client address (not pinned), as addClients([address]) without the array. Clients
   * usually reconnect from the address seen last, which is then already the most recent key: nothing to do.
   */
  addClient(address: string): boolean {
    if (address === this.lastRaw) return false;
    const added = this.addClients([address]);
    // Eviction may have dropped it (every other key pinned): then the next call must add it again.
    this.lastRaw = this.addresses.has(clientKey(address)) ? address : null;
    return added;
  }

  /** Recompute after a possible pool change; returns the new view only when the pool really changed. */
  poolMaybeChanged(): RingView | null | undefined {
    if (!this.hashAlgorithm) return undefined;
    const signature = this.signature(this.pool());
    if (signature === this.poolSignature) return undefined;
    this.poolSignature = signature;
    this.current = this.compute(true);
    return this.current;
  }

  /** Recompute with the clients known now (no new moves). */
  refresh(): RingView | null {
    this.current = this.compute(false);
    return this.current;
  }

  private evict(): void {
    this.lastRaw = null;
    for (const [address, pinned] of this.addresses) {
      if (this.addresses.size <= this.limit) break;
      if (pinned) continue;
      this.addresses.delete(address);
      this.assignment.delete(address);
      this.movedFrom.delete(address);
    }
  }

  private signature(entries: RingPoolEntry[]): string {
    return entries.map((e) => `${e.view.id}:${e.view.weight}:${eligible(e) ? 1 : 0}`).join('|');
  }

  private compute(poolChanged: boolean): RingView | null {
    const hashAlgorithm = this.hashAlgorithm;
    if (!hashAlgorithm) return null;
    const candidates: Candidate[] = [];
    for (const entry of this.pool())
      if (eligible(entry))
        candidates.push({ id: entry.view.id, weight: entry.view.weight, active: entry.view.activeConnections });
    if (poolChanged) {
      this.movedFrom = new Map();
      this.moved = 0;
      this.total = this.addresses.size;
    }
    const clients: RingClient[] = [];
    for (const address of this.addresses.keys()) {
      const backendId =
        candidates.length > 0 ? hashAlgorithm.algorithm.pick(candidates, { clientAddress: address, clientPort: 0 }).backendId : null;
      const before = this.assignment.get(address);
      if (poolChanged && before !== undefined && before !== backendId) {
        this.movedFrom.set(address, before);
        this.moved++;
      }
      this.assignment.set(address, backendId);
      const client: RingClient = { address, hash: hash32(address), backendId };
      if (this.movedFrom.has(address)) client.movedFrom = this.movedFrom.get(address) ?? null;
      if (hashAlgorithm.kind === 'source-hash') {
        const slot = hashAlgorithm.algorithm.lookup(address)?.slot;
        if (slot !== undefined) client.slot = slot;
      }
      clients.push(client);
    }
    clients.sort((a, b) => a.hash - b.hash);
    if (hashAlgorithm.kind === 'consistent-hash') {
      const ring = hashAlgorithm.algorithm.ringView();
      return {
        algorithm: 'consistent-hash',
        points: ring.points.map((p) => ({ hash: p.hash, backendId: p.backendId })),
        totalPoints: ring.totalPoints,
        clients,
        moved: this.moved,
        total: this.total,
      };
    }
    const table = hashAlgorithm.algorithm.tableView();
    const count = Math.min(table.length, TABLE_VIEW_LIMIT);
    const points: RingView['points'] = new Array(count);
    for (let i = 0; i < count; i++) {
      const slot = count === table.length ? i : Math.floor((i * table.length) / count);
      points[i] = { hash: Math.floor((slot * HASH_SPACE) / table.length), backendId: table[slot]! };
    }
    return { algorithm: 'source-hash', points, slots: table.length, clients, moved: this.moved, total: this.total };
  }
}
