// `npm run example -- order-saga [flags]`: the seed's order saga, until SIGINT or SIGTERM.
import { ConfigError, messageOf } from '../../core/index.ts';
import { startOrderSaga } from './saga.ts';
import { optionsFromArgs, resolveSagaSettings, usage } from './settings.ts';

let settings;
try {
  const options = optionsFromArgs(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  settings = resolveSagaSettings(options, process.env);
} catch (error) {
  process.stderr.write(`order-saga: ${messageOf(error)} (--help lists the settings)\n`);
  process.exit(2);
}

try {
  const saga = await startOrderSaga(settings);
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal means: do not wait for the batch in flight.
      if (++signals > 1) process.exit(130);
      void saga.stop();
    });
  }
  await saga.finished;
} catch (error) {
  process.stderr.write(`order-saga: ${messageOf(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
