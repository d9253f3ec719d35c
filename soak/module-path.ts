import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of a module of this package relative to `base` (an import.meta.url), with the extension the code runs
 * from: `.ts` in a clone of the repository, `.js` in the built package.
 */
export const modulePath = (relative: string, base: string): string =>
  fileURLToPath(new URL(relative.replace(/\.ts$/, extname(fileURLToPath(base))), base));
