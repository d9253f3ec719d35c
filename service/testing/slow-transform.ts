// A transform for runtime tests: marks each record and takes SLOW_TRANSFORM_MS (default 2) per record, so a
// run lasts long enough to be signalled mid-stream.
const delayMs = Number(process.env.SLOW_TRANSFORM_MS ?? '2');

export default async function slow(value: { id: number }) {
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  return { ...value, processed: true };
}
