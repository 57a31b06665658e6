#!/usr/bin/env node
// `npx stratus`: runs the TypeScript CLI (bin/stratus-cli.ts) through tsx, without a build step.
require('tsx/cjs');
require('./stratus-cli.ts');
