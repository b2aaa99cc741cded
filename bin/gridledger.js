#!/usr/bin/env node
// Entry point: loads the TypeScript sources through tsx so that `npx gridledger` works right
// after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
