import type { MetricsRow } from '../../../shared/protocol';
import { backendColor } from '../app/backendColors';
import { useLab } from '../app/context';
import { METRIC_COLUMNS } from '../app/metricColumns';
import { useThrottledLab } from '../app/useThrottledLab';
import type { LabStore } from '../store/labStore';

/** The table's numbers change at most this often, so they stay readable. */
export const METRICS_TABLE_REFRESH_MS = 250;

const selectLatest = (s: LabStore) => s.metrics.latest;

/** Column groups over the metric columns (by id), for the two-row header. */
const GROUPS: { label: string; span: number }[] = [
  { label: 'Connections', span: 3 },
  { label: 'Bytes', span: 2 },
  { label: 'Messages', span: 2 },
  { label: 'Errors', span: 3 },
  { label: 'Pool', span: 2 },
  { label: 'Latency (ms)', span: 3 },
];

/** Per-backend and total counters from the newest metrics sample, with HAProxy's names in the tooltips. */
export function MetricsPanel() {
  const { value: sample } = useThrottledLab(selectLatest, METRICS_TABLE_REFRESH_MS);
  const theme = useLab((s) => s.ui.theme);
  return (
    <section className="metrics-panel" aria-label="Metrics">
      {sample ? (
        <>
          <table className="metrics-table">
            <caption className="visually-hidden">
              Balancer counters over a {Math.round(sample.windowMs / 1000)} s window, per backend and in total
            </caption>
            <thead>
              <tr className="metrics-groups">
                <td />
                {GROUPS.map((g) => (
                  <th key={g.label} scope="colgroup" colSpan={g.span}>
                    {g.label}
                  </th>
                ))}
              </tr>
              <tr>
                <th scope="col">Backend</th>
                {METRIC_COLUMNS.map((c) => (
                  <th key={c.id} scope="col" title={c.description} aria-describedby={`metric-desc-${c.id}`}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sample.backends.map((row) => (
                <MetricsTableRow key={row.backendId ?? '?'} row={row} colour={backendColor(row.backendId, theme)} />
              ))}
              <MetricsTableRow row={sample.balancer} colour={null} />
            </tbody>
          </table>
          <div className="visually-hidden">
            {METRIC_COLUMNS.map((c) => (
              <span key={c.id} id={`metric-desc-${c.id}`}>
                {c.description}
              </span>
            ))}
          </div>
        </>
      ) : (
        <p className="empty">No metrics yet. Start traffic: the balancer reports its counters up to 10 times a second.</p>
      )}
    </section>
  );
}

function MetricsTableRow({ row, colour }: { row: MetricsRow; colour: string | null }) {
  const name = row.backendId === null ? 'Total' : `Server ${row.backendId}`;
  return (
    <tr className={row.backendId === null ? 'metrics-total' : undefined} data-backend={row.backendId ?? 'total'}>
      <th scope="row">
        {colour ? <span className="swatch" style={{ background: colour }} aria-hidden="true" /> : null}
        {name}
      </th>
      {METRIC_COLUMNS.map((c) => (
        <td key={c.id} data-metric={c.id}>
          {c.format(c.value(row))}
        </td>
      ))}
    </tr>
  );
}
