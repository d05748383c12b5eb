import { useLab } from '../app/context';
import { select } from '../store/selectors';
import { BackendList } from './BackendList';
import { BottomTabs } from './BottomTabs';
import { Controls } from './Controls';
import { DecisionPanel } from './DecisionPanel';
import { HashRingPanel } from './HashRing';
import { Header } from './Header';
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
          <BottomTabs />
          {hasRing ? <HashRingPanel /> : null}
        </div>
      </main>
    </div>
  );
}
