// `npm run example -- order-saga [flags]`: the seed's order saga, until SIGINT or SIGTERM.
import { runFlagExample } from '../lifecycle.ts';
import { startOrderSaga } from './saga.ts';
import { optionsFromArgs, resolveSagaSettings, usage } from './settings.ts';

await runFlagExample({ name: 'order-saga', usage, parse: optionsFromArgs, resolve: resolveSagaSettings, start: startOrderSaga });
