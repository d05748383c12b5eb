import type { CommandResult, LabEvent, LabSnapshot } from '../../src/shared/protocol';
import { parseCommand } from '../../src/shared/protocol';

/** Distributes an event type over the LabEvent union, so object literals can omit seq and t. */
type WithoutStamp<E> = E extends unknown ? Omit<E, 'seq' | 't'> : never;
/** A LabEvent before the Lab stamps it. */
export type EventBody = WithoutStamp<LabEvent>;

/** A stand-in for the Lab with the same shape the hosts use: execute, snapshot, onEvent, close. */
export class FakeLab {
  readonly executed: unknown[] = [];
  private readonly listeners = new Set<(event: LabEvent) => void>();
  private seq = 0;

  snapshot(): LabSnapshot {
    return {
      seq: this.seq,
      t: 0,
      balancer: {
        host: '127.0.0.1',
        port: 5000,
        listening: true,
        algorithm: 'round-robin',
        activeConnections: 0,
        totalConnections: 0,
        failedConnections: 0,
      },
      backends: [],
      clients: [{ id: 'client-1' }],
      traffic: { running: false, rate: 1, text: 'hello' },
    };
  }

  async execute(command: unknown): Promise<CommandResult> {
    const parsed = parseCommand(command);
    if (!parsed.ok) return parsed;
    this.executed.push(parsed.command);
    if (parsed.command.type === 'lab.snapshot') return { ok: true, snapshot: this.snapshot() };
    return { ok: true };
  }

  onEvent(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Emit an event, stamping seq and t as the Lab does. */
  emit(body: EventBody): LabEvent {
    const event = { ...body, seq: ++this.seq, t: this.seq } as LabEvent;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
