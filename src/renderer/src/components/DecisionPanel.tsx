import { backendColor } from '../app/backendColors';
import { useLab } from '../app/context';
import { useThrottledLab, useWallClock } from '../app/useThrottledLab';
import { decisionRate, STREAM_MIN_GAP_MS } from '../store/decisionStream';
import { select } from '../store/selectors';
import { DECISION_REFRESH_MS } from './BalancerInfo';

/** Above this rate the stream shows a sample, not every decision. */
const SAMPLED_ABOVE = 1000 / STREAM_MIN_GAP_MS;

/** A readable, sampled stream of the balancer's recent decisions and how many it makes per second. */
export function DecisionPanel() {
  const { value: stream, at } = useThrottledLab(select.decisionStream, DECISION_REFRESH_MS);
  const theme = useLab(select.theme);
  const wall = useWallClock(1000);
  // Lab time has no ticker of its own: estimate "now" as the newest decision plus the wall time since it was read,
  // so the rate falls to 0 once traffic stops.
  const labNow = stream.lastT === null ? 0 : stream.lastT + Math.max(0, wall - at);
  const rate = stream.lastT === null ? 0 : decisionRate(stream, labNow);
  const first = stream.entries[0];

  return (
    <section className="panel decisions-panel" aria-labelledby="decisions-heading">
      <div className="panel-head">
        <h2 id="decisions-heading">Decisions</h2>
        <span className="decision-rate" role="status" aria-label="Decision rate">
          {rate} decisions/s{rate > SAMPLED_ABOVE ? ' · sampled' : ''}
        </span>
      </div>
      {stream.entries.length === 0 ? <p className="empty">Each new connection shows why its server was chosen.</p> : null}
      <ol className="decision-stream" aria-label="Decision stream">
        {stream.entries.map((entry) => (
          <li key={entry.seq} className="stream-entry">
            <span className="stream-time">{first ? formatAgo(first.t - entry.t) : ''}</span>
            <span
              className="swatch"
              style={{ background: backendColor(entry.decision.backendId, theme) }}
              aria-hidden="true"
            />
            <span className="stream-target">Server {entry.decision.backendId}</span>
            <span className="stream-reason" title={entry.decision.reason}>
              {entry.decision.reason}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** "now" for the newest, "−1.3s" for older ones (relative to the newest, so rows do not tick). */
function formatAgo(ms: number): string {
  if (ms <= 0) return 'now';
  return `−${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}
