import { useLab } from '../app/context';
import { select } from '../store/selectors';

/** The balancer's latest pick with its reason, as text next to the canvas. */
export function LatestDecision() {
  const decision = useLab(select.latestDecision);
  return (
    <section className="latest-decision" aria-label="Latest decision">
      {decision ? (
        <>
          <span className="decision-target">Server {decision.backendId}</span>{' '}
          <span className="decision-algorithm">({decision.algorithm})</span>{' '}
          <span className="decision-reason">{decision.reason}</span>
        </>
      ) : (
        <span className="decision-reason">No decision yet</span>
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
