import type { z } from 'zod';
import { CommandSchema, TRAFFIC_MODELS, type Command } from '../../../shared/protocol';

/** The traffic.start command as the shared schema defines it (validated with that very schema). */
export type TrafficStartCommand = Extract<Command, { type: 'traffic.start' }>;

/** The shared schema's traffic.start branch. */
const TrafficStartSchema = CommandSchema.options.find((o) => o.shape.type.value === 'traffic.start') as z.ZodType<
  TrafficStartCommand,
  unknown
> & { shape: Record<string, unknown> };

/** What the traffic form holds: text as typed, plus the checkbox. */
export interface TrafficFormValues {
  rate: string;
  clients: string;
  model: string;
  concurrency: string;
  thinkMs: string;
  persistent: boolean;
  size: string;
  burstSize: string;
  burstEveryMs: string;
}

export type TrafficFieldKey = keyof TrafficFormValues;

/** Inline errors by field; `form` holds what concerns no single field. */
export type TrafficFormErrors = Partial<Record<TrafficFieldKey | 'form', string>>;

/** A field of the form: label (its accessible name), kind, and for which model it matters. */
export interface TrafficFieldDef {
  key: TrafficFieldKey;
  label: string;
  kind: 'number' | 'select' | 'checkbox';
  /** The schema key it feeds; fields whose key the schema lacks are not shown. */
  schemaKey: string;
  /** Shown only for these models (all when absent). */
  models?: readonly string[];
  hint?: string;
  min?: number;
  max?: number;
}

/**
 * The generator settings beyond rate and clients, one line each; the form renders them in this order and hides
 * any whose `schemaKey` the shared schema does not have (so a protocol without them still works).
 */
export const TRAFFIC_FIELDS: readonly TrafficFieldDef[] = [
  { key: 'model', label: 'Traffic model', kind: 'select', schemaKey: 'model', hint: 'steady: evenly spaced · open: random (Poisson) arrivals · closed: N users send, wait, think' },
  { key: 'concurrency', label: 'Concurrency', kind: 'number', schemaKey: 'concurrency', models: ['closed'], min: 1, max: 2000, hint: 'Virtual users, each with one message in flight' },
  { key: 'thinkMs', label: 'Think time (ms)', kind: 'number', schemaKey: 'thinkMs', models: ['closed'], min: 0, max: 60000 },
  { key: 'persistent', label: 'Persistent connections', kind: 'checkbox', schemaKey: 'connection', hint: 'One connection per client instead of one per message' },
  { key: 'size', label: 'Message size (bytes)', kind: 'number', schemaKey: 'size', min: 1, max: 4096, hint: 'Pad each message; empty = the text as is' },
  { key: 'burstSize', label: 'Burst size', kind: 'number', schemaKey: 'burst', min: 1, max: 2000, hint: 'Extra messages sent at once, on top of the rate' },
  { key: 'burstEveryMs', label: 'Burst every (ms)', kind: 'number', schemaKey: 'burst', min: 50, max: 600000 },
];

/** The models the select offers. */
export const TRAFFIC_MODEL_OPTIONS = TRAFFIC_MODELS;

/** Fields the current schema knows of. */
export function supportedTrafficFields(fields: readonly TrafficFieldDef[] = TRAFFIC_FIELDS): TrafficFieldDef[] {
  return fields.filter((f) => f.schemaKey in TrafficStartSchema.shape);
}

/** Whether a field applies under the chosen model. */
export function fieldApplies(field: TrafficFieldDef, model: string): boolean {
  return !field.models || field.models.includes(model);
}

/** The form's starting values (the engine's defaults). */
export function defaultTrafficForm(): TrafficFormValues {
  return {
    rate: '5',
    clients: '1',
    model: 'steady',
    concurrency: '10',
    thinkMs: '0',
    persistent: false,
    size: '',
    burstSize: '',
    burstEveryMs: '',
  };
}

const LABELS: Record<TrafficFieldKey, string> = {
  rate: 'rate',
  clients: 'clients',
  model: 'model',
  concurrency: 'concurrency',
  thinkMs: 'think time',
  persistent: 'connection',
  size: 'size',
  burstSize: 'burst size',
  burstEveryMs: 'burst interval',
};

/**
 * Turn the form into a traffic.start command, validated with the shared schema; or say, per field, what is
 * wrong. Empty optional fields are left out (the engine's defaults apply); model-specific fields are sent only
 * for their model. Pure.
 */
export function buildTrafficCommand(
  values: TrafficFormValues,
  text?: string,
): { ok: true; command: TrafficStartCommand } | { ok: false; errors: TrafficFormErrors } {
  const errors: TrafficFormErrors = {};
  const shape = TrafficStartSchema.shape;
  const number = (key: TrafficFieldKey, required: boolean): number | undefined => {
    const raw = String(values[key]).trim();
    if (raw === '') {
      if (required) errors[key] = `${LABELS[key]} must be a number`;
      return undefined;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      errors[key] = `${LABELS[key]} must be a number`;
      return undefined;
    }
    return value;
  };

  const candidate: Record<string, unknown> = { type: 'traffic.start' };
  candidate.rate = number('rate', true);
  const clients = number('clients', false);
  if (clients !== undefined) candidate.clients = clients;
  if (text !== undefined) candidate.text = text;
  if ('model' in shape) candidate.model = values.model;
  if (values.model === 'closed') {
    if ('concurrency' in shape) {
      const concurrency = number('concurrency', false);
      if (concurrency !== undefined) candidate.concurrency = concurrency;
    }
    if ('thinkMs' in shape) {
      const thinkMs = number('thinkMs', false);
      if (thinkMs !== undefined) candidate.thinkMs = thinkMs;
    }
  }
  if ('connection' in shape) candidate.connection = values.persistent ? 'persistent' : 'per-message';
  if ('size' in shape) {
    const size = number('size', false);
    if (size !== undefined) candidate.size = size;
  }
  if ('burst' in shape) {
    const burstSize = number('burstSize', false);
    const everyMs = number('burstEveryMs', false);
    if (burstSize !== undefined && everyMs !== undefined) candidate.burst = { size: burstSize, everyMs };
    else if (burstSize !== undefined && !errors.burstEveryMs) errors.burstEveryMs = 'set how often the burst comes';
    else if (everyMs !== undefined && !errors.burstSize) errors.burstSize = 'set how many messages a burst has';
  }
  if (Object.keys(errors).length) return { ok: false, errors };

  const parsed = TrafficStartSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, command: parsed.data };
  for (const issue of parsed.error.issues) {
    const key = issueField(issue.path);
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The form field a schema issue is about. */
function issueField(path: readonly PropertyKey[]): TrafficFieldKey | 'form' {
  const [head, sub] = path;
  if (head === 'burst') return sub === 'everyMs' ? 'burstEveryMs' : 'burstSize';
  if (head === 'connection') return 'persistent';
  if (typeof head === 'string' && head in LABELS) return head as TrafficFieldKey;
  return 'form';
}

/** Which field a Lab error (one line, e.g. "concurrency: …") is about, so it shows next to that field. */
export function trafficErrorField(error: string): TrafficFieldKey | 'form' {
  const head = /^([a-zA-Z.]+):/.exec(error)?.[1];
  if (head) return issueField(head.split('.'));
  if (/clients/i.test(error)) return 'clients';
  if (/\brate\b/i.test(error)) return 'rate';
  return 'form';
}
