#!/usr/bin/env node
// The `beatwatch` command. Sources are TypeScript; tsx compiles them on the fly so the CLI
// runs from a fresh clone with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
