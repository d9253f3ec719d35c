// `npm run docs:failure-modes`: regenerates the table of docs/failure-modes.md from core/failure-policy.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { withFailureModesTable } from './failure-modes-table.ts';

const page = new URL('../../docs/failure-modes.md', import.meta.url);
await writeFile(page, withFailureModesTable(await readFile(page, 'utf8')));
