/** "0.8 ms" below 10 ms, whole milliseconds above. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Which add-backend field a Lab error is about, so it shows next to that field. */
export function addBackendErrorField(error: string): 'add.port' | 'add.id' | 'add' {
  if (/port|address|EADDRINUSE|EACCES|listen/i.test(error)) return 'add.port';
  if (/\bid\b|already exists|server id|duplicate/i.test(error)) return 'add.id';
  return 'add';
}
