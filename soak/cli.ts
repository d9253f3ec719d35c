// `npm run soak -- [flags]` in a clone of this repository; `orchestron soak [flags]` from the installed package.
import { soakMain } from './main.ts';

process.exit(await soakMain(process.argv.slice(2), process.env));
