import { useLab } from '../app/context';
import { backendColor } from '../app/backendColors';
import { useThrottledLab } from '../app/useThrottledLab';
import { select } from '../store/selectors';

/** How often decision text may change on screen (≈4 per second keeps it readable at any rate). */
export const DECISION_REFRESH_MS = 250;

/** The balancer's latest pick: its reason and every candidate with the score the algorithm compared. */
export function LatestDecision() {
  const { value: decision } = useThrottledLab(select.latestDecision, DECISION_REFRESH_MS);
  const theme = useLab(select.theme);
  return (
    <section className="latest-decision" aria-label="Latest decision">
      {decision ? (
        <>
          <div className="decision-line">
            <span className="decision-target">Server {decision.backendId}</span>{' '}
            <span className="decision-algorithm">({decision.algorithm})</span>{' '}
            <span className="decision-reason" title={decision.reason}>
              {decision.reason}
            </span>
          </div>
          {decision.candidates.length > 0 ? (
            <ul className="decision-candidates" aria-label="Candidates">
              {decision.candidates.map((c) => {
                const chosen = c.backendId === decision.backendId;
                return (
                  <li key={c.backendId} className={`candidate${chosen ? ' chosen' : ''}`} aria-current={chosen || undefined}>
                    <span className="swatch" style={{ background: backendColor(c.backendId, theme) }} aria-hidden="true" />
                    <span className="candidate-name">Server {c.backendId}</span>
                    {c.score ? <span className="candidate-score">{c.score}</span> : null}
                    {chosen ? <span className="visually-hidden"> (chosen)</span> : null}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </>
      ) : (
        <div className="decision-line">
          <span className="decision-reason">No decision yet</span>
        </div>
      )}
    </section>
  );
}

/** Balancer connection counters. */
export function StatsStrip() {
  const balancer = useLab(select.balancer);
  const stat = (label: string, value: number | undefined, className: string) => (
    <div className={`stat ${className}`}>
      <dt>{label}</dt>
      <dd>{value ?? '–'}</dd>
    </div>
  );
  return (
    <dl className="stats" aria-label="Balancer stats">
      <div className="stat address">
        <dt>Balancer</dt>
        <dd>{balancer ? `${balancer.host}:${balancer.port}` : '–'}</dd>
      </div>
      {stat('Active', balancer?.activeConnections, 'active')}
      {stat('Total', balancer?.totalConnections, 'total')}
      {stat('Failed', balancer?.failedConnections, 'failed')}
    </dl>
  );
}
