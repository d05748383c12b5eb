import { formatLatency } from '../app/format';
import { useThrottledLab } from '../app/useThrottledLab';
import { select } from '../store/selectors';

/** The log re-renders at most this often (trailing edge: the newest reply always shows). */
export const REPLY_LOG_REFRESH_MS = 100;

/** The bottom strip: newest replies first, exactly as received; failures in red. */
export function ReplyLog() {
  // Under heavy traffic the log changes every batch (~60×/s); re-rendering 200 rows that often costs frames.
  const { value: log } = useThrottledLab(select.log, REPLY_LOG_REFRESH_MS);
  return (
    <section className="panel log-panel" aria-labelledby="replies-heading">
      <h2 id="replies-heading">Replies</h2>
      {log.length === 0 ? <p className="empty">Send a message to see who answers.</p> : null}
      <ul className="reply-log" aria-label="Replies">
        {log.map((entry) =>
          entry.ok ? (
            <li key={entry.msgId} className="reply ok">
              <span className="reply-text">{entry.reply}</span>
              {entry.latencyMs !== null ? <span className="latency">{formatLatency(entry.latencyMs)}</span> : null}
            </li>
          ) : (
            <li key={entry.msgId} className="reply failed">
              <span className="reply-text">{entry.error}</span>
              {entry.backendId !== null ? <span className="reply-meta">Server {entry.backendId}</span> : null}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}
