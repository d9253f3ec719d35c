import { trackerContract } from '../testing/tracker-contract.ts';
import { MemoryTracker } from './memory-tracker.ts';

trackerContract('memory', async (clock) => ({ tracker: new MemoryTracker({ clock }), cleanup: async () => {} }));
