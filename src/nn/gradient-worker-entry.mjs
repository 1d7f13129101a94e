// Gradient workers started from TypeScript sources begin as plain Node: register the TypeScript
// loader, then load parallel.ts, which starts the worker loop when it runs inside a worker.
import { register } from 'tsx/esm/api';

register();
await import('./parallel.ts');
