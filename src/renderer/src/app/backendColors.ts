import type { Theme } from '../store/types';

/**
 * Per-backend identity colours, shared by the canvas and the hash-ring panel so a backend looks the same
 * everywhere. Orange is left out on purpose: it marks clients that moved.
 */
const PALETTES: Record<Theme, readonly string[]> = {
  light: ['#2f6fed', '#0ca678', '#7048e8', '#d6336c', '#1098ad', '#5c940d', '#ae3ec9', '#3d5a80'],
  dark: ['#5b8cff', '#38d9a9', '#9775fa', '#f06595', '#3bc9db', '#94d82d', '#da77f2', '#74a7d8'],
};

/** The highlight for clients that changed backend at the last pool change. */
export const MOVED_COLOR: Record<Theme, string> = { light: '#e8590c', dark: '#ff922b' };

/** Colour for a backend that is not (or no longer) in the pool. */
export const UNKNOWN_BACKEND_COLOR: Record<Theme, string> = { light: '#8a939e', dark: '#6b7480' };

/**
 * Palette slot for a backend id. Numeric ids ("1", "2", …) take consecutive slots so a small pool never
 * repeats a colour; other ids hash (FNV-1a). Depends on the id only, so removing a backend recolours nothing.
 */
export function backendColorIndex(id: string, size = PALETTES.light.length): number {
  if (/^\d+$/.test(id)) return (Number(id) - 1 + size * 1000) % size;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % size;
}

/** The identity colour of backend `id` in `theme`. */
export function backendColor(id: string | null, theme: Theme): string {
  if (id === null) return UNKNOWN_BACKEND_COLOR[theme];
  const palette = PALETTES[theme];
  return palette[backendColorIndex(id, palette.length)] ?? UNKNOWN_BACKEND_COLOR[theme];
}
