/** A card on the canvas, with the points lines attach to. */
export interface NodeBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Where lines leave/enter on the left and right edges. */
  left: Point;
  right: Point;
}

export interface Point {
  x: number;
  y: number;
}

/** Where everything sits: clients left, balancer centre, backends stacked right. */
export interface SceneLayout {
  width: number;
  height: number;
  clients: Map<string, NodeBox>;
  balancer: NodeBox;
  backends: Map<string, NodeBox>;
  /** Backend card height class, so drawing can drop detail on small cards. */
  compact: boolean;
}

const PAD = 24;
const GAP = 8;

function box(id: string, x: number, y: number, w: number, h: number): NodeBox {
  return { id, x, y, w, h, left: { x, y: y + h / 2 }, right: { x: x + w, y: y + h / 2 } };
}

/** Stack `ids` in a column of cards centred vertically inside [top, top + avail]. */
function column(
  ids: readonly string[],
  x: number,
  w: number,
  top: number,
  avail: number,
  maxH: number,
  minH: number,
): Map<string, NodeBox> {
  const out = new Map<string, NodeBox>();
  const n = ids.length;
  if (n === 0) return out;
  const h = Math.max(minH, Math.min(maxH, (avail - GAP * (n - 1)) / n));
  const total = n * h + (n - 1) * GAP;
  let y = top + Math.max(0, (avail - total) / 2);
  for (const id of ids) {
    out.set(id, box(id, x, y, w, h));
    y += h + GAP;
  }
  return out;
}

/** The layout for a canvas of `width`×`height` CSS pixels. Handles 0..12+ backends. */
export function computeLayout(
  width: number,
  height: number,
  clientIds: readonly string[],
  backendIds: readonly string[],
): SceneLayout {
  const w = Math.max(width, 320);
  const h = Math.max(height, 200);
  const avail = h - PAD * 2;
  const clientW = Math.min(150, Math.max(96, w * 0.16));
  const balancerW = Math.min(240, Math.max(150, w * 0.26));
  const backendW = Math.min(230, Math.max(120, w * 0.27));

  const clients = column(clientIds.length ? clientIds : ['client'], PAD, clientW, PAD, avail, 64, 28);
  const balancerH = Math.min(124, avail);
  const balancer = box('balancer', (w - balancerW) / 2, PAD + (avail - balancerH) / 2, balancerW, balancerH);
  const backends = column(backendIds, w - PAD - backendW, backendW, PAD, avail, 84, 22);
  const first = backends.values().next().value;
  return { width: w, height: h, clients, balancer, backends, compact: first ? first.h < 56 : false };
}
