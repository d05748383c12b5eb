import { BackendList } from './BackendList';
import { Controls } from './Controls';
import { Header } from './Header';
import { ReplyLog } from './ReplyLog';
import { Visualiser } from './Visualiser';

/** The whole window: header, controls | canvas | backends, reply log. */
export function App() {
  return (
    <div className="app">
      <Header />
      <main className="workspace">
        <Controls />
        <Visualiser />
        <BackendList />
        <ReplyLog />
      </main>
    </div>
  );
}
