import { MemoryDedupStore, MemoryTracker } from '../../core/index.ts';
import { defineStore } from './store-entry.ts';

/** The in-process store: no settings, no schema, nothing kept past the process. */
export const memoryStore = defineStore({
  name: 'memory',
  openTracker: async (_settings, { clock }) => new MemoryTracker({ clock }),
  openDedup: async (_settings, { clock }) => new MemoryDedupStore({ clock }),
});
