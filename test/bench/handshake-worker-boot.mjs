// Worker threads do not inherit tsx's loader (`--import tsx` is refused in a Worker's execArgv on Node 20):
// register it here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./handshake-worker.ts');
