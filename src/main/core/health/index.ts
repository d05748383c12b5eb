/** Active health checks (HAProxy-style TCP connect checks with rise/fall). */
export { HealthChecker, type HealthCheckerOptions, type Probe } from './health-checker';
export { tcpProbe, type ProbeResult } from './tcp-probe';
