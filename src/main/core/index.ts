/** The engine's public surface: plain Node, no Electron. */
export { Lab, createSeedLab, type LabOptions } from './lab';
export {
  BackendServer,
  type BackendServerOptions,
  type BackendServerState,
  type BackendServerEvents,
} from './backend-server';
export {
  Balancer,
  type BalancerOptions,
  type BalancerHooks,
  type BalancerBackend,
  type BalancerStats,
  type BalancerBackendStats,
  type ByteDelta,
  type ConnectionOpenedInfo,
  type ConnectionClosedInfo,
  type ConnectRetryInfo,
} from './balancer';
export {
  sendMessage,
  PersistentClient,
  type SendMessageOptions,
  type MessageReply,
  type PersistentClientOptions,
} from './message-client';
export { LineFramer, type LineFramerOptions } from './line-framer';
export { systemClock, createSystemClock, type Clock } from './clock';
export type { BoundAddress } from './listen';
export {
  TrafficGenerator,
  resolveTrafficSettings,
  type TrafficSettings,
  type TrafficHooks,
  type TrafficClient,
  type TrafficGeneratorOptions,
} from './traffic';
export { MetricsCollector, LogHistogram, SlidingWindow } from './metrics';
export { RingTracker } from './hash-ring/ring-tracker';
