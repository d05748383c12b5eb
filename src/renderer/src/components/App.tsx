import { useLab } from '../app/context';
import { select } from '../store/selectors';
import { BackendList } from './BackendList';
import { Controls } from './Controls';
import { DecisionPanel } from './DecisionPanel';
import { HashRingPanel } from './HashRing';
import { Header } from './Header';
import { ReplyLog } from './ReplyLog';
import { Visualiser } from './Visualiser';

/** The whole window: header, controls | canvas | backends, then decisions | replies | hash ring. */
export function App() {
  const hasRing = useLab(select.hasRing);
  return (
    <div className="app">
      <Header />
      <main className={`workspace${hasRing ? ' with-ring' : ''}`}>
        <Controls />
        <Visualiser />
        <BackendList />
        <div className="bottom-row">
          <DecisionPanel />
          <ReplyLog />
          {hasRing ? <HashRingPanel /> : null}
        </div>
      </main>
    </div>
  );
}
