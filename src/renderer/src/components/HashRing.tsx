import type { RingClient, RingView } from '../../../shared/protocol';
import { backendColor, MOVED_COLOR } from '../app/backendColors';
import { useLab } from '../app/context';
import { arcPath, clientsPerBackend, hashPoint, ringArcs, ringShares, tableSlot } from '../app/ringGeometry';
import { useThrottledLab } from '../app/useThrottledLab';
import { select } from '../store/selectors';
import type { Theme } from '../store/types';

/** Ring updates arrive on pool changes and as new client addresses appear; a few redraws a second are enough. */
const RING_REFRESH_MS = 250;
/** Moved clients listed by name; the rest are summed up. */
const MOVED_LIST_LIMIT = 5;

/**
 * The hash view: consistent-hash as a ring (arcs coloured by owning backend, clients as markers at their
 * hash angle), source-hash as its slot table (a strip, clients under the slot hash mod size lands in).
 */
export function HashRingPanel() {
  const { value: ring } = useThrottledLab(select.ring, RING_REFRESH_MS);
  const theme = useLab(select.theme);
  const order = useLab(select.backendOrder);
  if (!ring) return null;

  const counts = clientsPerBackend(ring.clients);
  const shares = ring.algorithm === 'consistent-hash' ? ringShares(ring.points) : slotShares(ring.points);
  // Pool backends first (in their order), then any the ring still names.
  const ids = [...order];
  for (const id of [...shares.keys(), ...counts.keys()]) if (id !== null && !ids.includes(id)) ids.push(id);
  const moved = ring.clients.filter((c) => c.movedFrom != null && c.movedFrom !== c.backendId);

  return (
    <section className="panel ring-panel" aria-labelledby="ring-heading">
      <h2 id="ring-heading">Hash ring</h2>
      <div className="ring-body">
        {ring.algorithm === 'consistent-hash' ? (
          <RingCircle ring={ring} theme={theme} />
        ) : (
          <SlotStrip ring={ring} theme={theme} />
        )}
        <div className="ring-legend">
          <p className="ring-caption">
            <strong>
              {ring.moved} of {ring.total}
            </strong>{' '}
            clients moved at the last change
          </p>
          <ul
            className="ring-owners"
            aria-label={ring.algorithm === 'consistent-hash' ? 'Share of the ring' : 'Share of the slots'}
          >
            {ids.map((id) => (
              <li key={id}>
                <span className="swatch" style={{ background: backendColor(id, theme) }} aria-hidden="true" />
                <span className="owner-name">Server {id}</span>
                <span className="owner-meta">
                  {counts.get(id) ?? 0} clients · {Math.round((shares.get(id) ?? 0) * 100)}%
                </span>
              </li>
            ))}
          </ul>
          {moved.length > 0 ? (
            <ul className="ring-moved" aria-label="Moved client addresses">
              {moved.slice(0, MOVED_LIST_LIMIT).map((c) => (
                <li key={c.address}>
                  <span className="moved-dot" aria-hidden="true" />
                  {c.address}: {c.movedFrom} → {c.backendId ?? 'none'}
                </li>
              ))}
              {moved.length > MOVED_LIST_LIMIT ? <li>+{moved.length - MOVED_LIST_LIMIT} more</li> : null}
            </ul>
          ) : null}
        </div>
      </div>
    </section>
  );
}

const SIZE = 200;
const C = SIZE / 2;
const RING_R = 66;
const MARKER_R = 84;

function RingCircle({ ring, theme }: { ring: RingView; theme: Theme }) {
  const arcs = ringArcs(ring.points);
  const tagged = tagsWithoutOverlap(ring.clients);
  const summary = `Hash ring: ${ring.points.length} points, ${ring.clients.length} client addresses`;
  return (
    <svg className="ring-svg" viewBox={`-12 -12 ${SIZE + 24} ${SIZE + 24}`} role="img" aria-label={summary}>
      <circle cx={C} cy={C} r={RING_R} className="ring-track" />
      {arcs.map((arc, i) => (
        <path
          key={i}
          d={arcPath(arc.from, arc.to, RING_R, C, C)}
          stroke={backendColor(arc.backendId, theme)}
          className="ring-arc"
        />
      ))}
      {/* 0 marker so the direction reads: hashes grow clockwise from the top. */}
      <line x1={C} y1={C - RING_R - 9} x2={C} y2={C - RING_R + 9} className="ring-zero" />
      <text x={C} y={C - 6} className="ring-centre">
        {ring.clients.length} clients
      </text>
      <text x={C} y={C + 10} className="ring-centre muted">
        {ring.points.length} points
      </text>
      {ring.clients.map((client) => (
        <ClientMarker key={client.address} client={client} theme={theme} tagged={tagged.has(client.address)} />
      ))}
    </svg>
  );
}

/** Moved clients whose address tag has room: a tag closer than TAG_GAP to an earlier one is left out. */
function tagsWithoutOverlap(clients: RingClient[]): Set<string> {
  const TAG_GAP = 15;
  const placed: { x: number; y: number }[] = [];
  const out = new Set<string>();
  for (const client of clients) {
    if (client.movedFrom == null || client.movedFrom === client.backendId) continue;
    const at = hashPoint(client.hash, MARKER_R + 13, C, C);
    if (placed.some((p) => Math.hypot(p.x - at.x, p.y - at.y) < TAG_GAP)) continue;
    placed.push(at);
    out.add(client.address);
  }
  return out;
}

function ClientMarker({ client, theme, tagged }: { client: RingClient; theme: Theme; tagged: boolean }) {
  const at = hashPoint(client.hash, MARKER_R, C, C);
  const onRing = hashPoint(client.hash, RING_R + 6, C, C);
  const colour = backendColor(client.backendId, theme);
  const moved = client.movedFrom != null && client.movedFrom !== client.backendId;
  const label = clientLabel(client);
  const tag = hashPoint(client.hash, MARKER_R + 13, C, C);
  return (
    <g className="ring-client">
      <title>{label}</title>
      <line x1={onRing.x} y1={onRing.y} x2={at.x} y2={at.y} stroke={colour} className="ring-leader" />
      {moved ? <circle cx={at.x} cy={at.y} r={6.5} stroke={MOVED_COLOR[theme]} className="ring-moved-halo" /> : null}
      <circle cx={at.x} cy={at.y} r={3.5} fill={colour} className="ring-client-dot" />
      {moved && tagged ? (
        <text x={tag.x} y={tag.y} className="ring-client-tag" fill={MOVED_COLOR[theme]}>
          {lastOctet(client.address)}
        </text>
      ) : null}
    </g>
  );
}

const STRIP_W = 200;
const STRIP_Y = 40;
const STRIP_H = 26;

/** Source-hash: the slot table in order; a client goes to slot hash mod size (walking on if that server is down). */
function SlotStrip({ ring, theme }: { ring: RingView; theme: Theme }) {
  const size = ring.points.length;
  const cell = size > 0 ? STRIP_W / size : STRIP_W;
  const stacks = new Map<number, number>();
  return (
    <svg
      className="ring-svg"
      viewBox={`-10 0 ${STRIP_W + 20} 150`}
      role="img"
      aria-label={`Source-hash table: ${size} slots, ${ring.clients.length} client addresses`}
    >
      <text x={0} y={STRIP_Y - 10} className="strip-label">
        slot = hash mod {size}
      </text>
      {ring.points.map((point, i) => (
        <rect
          key={i}
          x={i * cell}
          y={STRIP_Y}
          width={Math.max(0.5, cell - (cell > 4 ? 1 : 0))}
          height={STRIP_H}
          fill={backendColor(point.backendId, theme)}
          className="strip-slot"
        >
          <title>{`slot ${i}: Server ${point.backendId}`}</title>
        </rect>
      ))}
      <text x={0} y={STRIP_Y + STRIP_H + 11} className="strip-index">
        0
      </text>
      <text x={STRIP_W} y={STRIP_Y + STRIP_H + 11} className="strip-index end">
        {Math.max(0, size - 1)}
      </text>
      {ring.clients.map((client) => {
        const slot = tableSlot(client.hash, size);
        const level = stacks.get(slot) ?? 0;
        stacks.set(slot, level + 1);
        // Stack clients of one slot downwards, wrapping into a second column after six.
        const x = slot * cell + cell / 2 + Math.floor(level / 6) * 8;
        const y = STRIP_Y + STRIP_H + 22 + (level % 6) * 10;
        const moved = client.movedFrom != null && client.movedFrom !== client.backendId;
        return (
          <g key={client.address} className="ring-client">
            <title>{clientLabel(client)}</title>
            {moved ? <circle cx={x} cy={y} r={5.5} stroke={MOVED_COLOR[theme]} className="ring-moved-halo" /> : null}
            <circle cx={x} cy={y} r={3} fill={backendColor(client.backendId, theme)} className="ring-client-dot" />
          </g>
        );
      })}
    </svg>
  );
}

function slotShares(points: RingView['points']): Map<string, number> {
  const shares = new Map<string, number>();
  for (const p of points) shares.set(p.backendId, (shares.get(p.backendId) ?? 0) + 1 / points.length);
  return shares;
}

function clientLabel(client: RingClient): string {
  const target = client.backendId === null ? 'no server' : `Server ${client.backendId}`;
  const was = client.movedFrom != null && client.movedFrom !== client.backendId ? ` (was Server ${client.movedFrom})` : '';
  return `${client.address} → ${target}${was}`;
}

function lastOctet(address: string): string {
  const dot = address.lastIndexOf('.');
  return dot >= 0 ? `.${address.slice(dot + 1)}` : address;
}
