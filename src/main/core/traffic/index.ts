/** The traffic generator, usable with or without a Lab. */
export {
  TrafficGenerator,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_REPLY_TIMEOUT_MS,
  type TrafficClient,
  type TrafficHooks,
  type TrafficGeneratorOptions,
} from './generator';
export {
  resolveTrafficSettings,
  clientAddresses,
  padMessage,
  DEFAULT_TRAFFIC_TEXT,
  type TrafficSettings,
} from './settings';
