import { WeightSchema } from '../../../shared/protocol';

/** Result of checking what a user typed into a Weight field. */
export type WeightInput = { ok: true; weight: number } | { ok: false; error: string };

/** Parse a Weight field: a whole number 0..256 (the same rule the Lab applies). */
export function parseWeight(text: string): WeightInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'weight must be a number between 0 and 256' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, error: 'weight must be a number between 0 and 256' };
  const checked = WeightSchema.safeParse(value);
  if (!checked.success) return { ok: false, error: checked.error.issues[0]?.message ?? 'invalid weight' };
  return { ok: true, weight: checked.data };
}

/** Short text for a weight, e.g. "w 5"; weight 0 takes no new connections. */
export function weightLabel(weight: number): string {
  return weight === 0 ? 'w 0 · no new connections' : `w ${weight}`;
}

/** Parse a Clients field: a whole number 1..200 of distinct client addresses for traffic. */
export function parseClients(text: string): { ok: true; clients: number } | { ok: false; error: string } {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 200) {
    return { ok: false, error: 'clients must be a whole number between 1 and 200' };
  }
  return { ok: true, clients: value };
}
