/** The soak's transform: the value as it came, so a run measures Orchestron and Kafka, not user code. */
export default function noop<T>(value: T): T {
  return value;
}
