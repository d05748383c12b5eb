import { useId, useState, type KeyboardEvent } from 'react';
import { canvasesToPng, downloadBlob, fileStamp, metricsToCsv } from '../app/exportCsv';
import { useLab, useServices } from '../app/context';
import { Charts } from './Charts';
import { MetricsPanel } from './MetricsPanel';
import { ReplyLog } from './ReplyLog';

const TABS = ['Replies', 'Metrics', 'Charts'] as const;
type Tab = (typeof TABS)[number];

/**
 * The bottom area as tabs: "Replies" (the default, so the log is visible on load), "Metrics" and "Charts".
 * Metrics and Charts take the whole bottom row and grow it (see .tabs-panel[data-wide] in styles.css).
 */
export function BottomTabs() {
  const [tab, setTab] = useState<Tab>('Replies');
  const base = useId();
  const tabId = (t: Tab): string => `${base}-tab-${t}`;
  const panelId = (t: Tab): string => `${base}-panel-${t}`;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : e.key === 'Home' ? TABS[0] : e.key === 'End' ? TABS[TABS.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(tabId(next))?.focus();
  };

  return (
    <section className="panel tabs-panel" data-wide={tab === 'Replies' ? undefined : ''}>
      <div className="tab-head">
        <div role="tablist" aria-label="Bottom panels" className="tab-list" onKeyDown={onKeyDown}>
          {TABS.map((t) => (
            <button
              key={t}
              id={tabId(t)}
              type="button"
              role="tab"
              className="tab"
              aria-selected={t === tab}
              aria-controls={panelId(t)}
              tabIndex={t === tab ? 0 : -1}
              onClick={() => setTab(t)}
            >
              {t}
            </button>
          ))}
        </div>
        <ExportButtons />
      </div>
      <div role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} className="tab-body">
        {tab === 'Replies' ? <ReplyLog /> : tab === 'Metrics' ? <MetricsPanel /> : <Charts />}
      </div>
    </section>
  );
}

/** "Export CSV" (every kept metrics sample) and "Export PNG" (the traffic canvas, plus the charts when shown). */
function ExportButtons() {
  const { store } = useServices();
  const hasMetrics = useLab((s) => s.metrics.version > 0);
  const exportCsv = (): void => {
    const csv = metricsToCsv(store.getState().metrics.history.samples());
    downloadBlob(new Blob([csv], { type: 'text/csv' }), `balancer-lab-metrics-${fileStamp()}.csv`);
  };
  const exportPng = async (): Promise<void> => {
    const canvases = [
      ...document.querySelectorAll<HTMLCanvasElement>('canvas.viz-canvas'),
      ...document.querySelectorAll<HTMLCanvasElement>('.chart-holder canvas'),
    ];
    const background = getComputedStyle(document.documentElement).getPropertyValue('--viz-bg').trim() || '#ffffff';
    const blob = await canvasesToPng(canvases, background);
    if (blob) downloadBlob(blob, `balancer-lab-${fileStamp()}.png`);
    else store.getState().reportError('could not export the picture');
  };
  return (
    <div className="tab-tools">
      <button type="button" className="small" disabled={!hasMetrics} onClick={exportCsv}>
        Export CSV
      </button>
      <button type="button" className="small" onClick={() => void exportPng()}>
        Export PNG
      </button>
    </div>
  );
}
