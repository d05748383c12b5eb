import type { AlgorithmName } from './protocol';

/** One sentence per algorithm on when to use it, for the README, the CLI and the UI. */
export const ALGORITHM_DESCRIPTIONS: Record<AlgorithmName, string> = {
  'round-robin':
    'Hands connections to each server in turn; use it when servers are alike and requests cost about the same.',
  'weighted-round-robin':
    "nginx's smooth weighted round robin: use it when servers differ in capacity — a server of weight 5 gets five times the connections of weight 1, spread out evenly rather than in bursts.",
  'least-connections':
    'Sends each connection to the server with the fewest open connections per unit of weight; use it when connections are long-lived or vary a lot in length.',
  'power-of-two':
    'Samples two servers at random and takes the less busy one; use it for large pools or many balancers, where it nearly matches least-connections without herding onto one server.',
  random:
    'Picks a server at random in proportion to its weight; use it as a simple stateless baseline that evens out over many connections.',
  'source-hash':
    'Maps each client address to a fixed server; use it when a client must keep landing on the same server (sessions, caches) and the pool rarely changes.',
  'consistent-hash':
    'Maps clients to servers on a hash ring so adding or removing a server moves only about 1/N of the clients; use it for sticky routing to caches or shards in a changing pool.',
  'peak-ewma':
    'Prefers the server with the lowest recent latency times its open connections; use it when servers differ in speed or slow down under load.',
};
