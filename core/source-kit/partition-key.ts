/** One string per topic-partition, for maps kept per partition. */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
