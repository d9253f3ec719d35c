import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MemoryDedupStore, MemoryTracker } from '../../core/index.ts';
import { text } from './config-fields.ts';
import { memoryStore } from './memory-store.ts';
import { defineStore } from './store-entry.ts';
import { storeSections } from './store-sections.ts';

// A store of the kind a contributor adds: a URL, one key of its own, openers (here in-memory stand-ins).
const toyStore = defineStore({
  name: 'toy',
  url: { schemes: ['toy', 'toys'], variable: 'TOY_URL', fallback: 'toy://127.0.0.1' },
  settings: { entries: { shelf: text('Where the toys go; default `box`.') }, about: 'Toy store settings.' },
  openTracker: async (_settings, { clock }) => new MemoryTracker({ clock }),
  openDedup: async (_settings, { clock }) => new MemoryDedupStore({ clock }),
});

describe('storeSections', () => {
  const schema = v.strictObject(storeSections([memoryStore, toyStore]));

  it('gives a store with settings its section: its url first, then its own keys, all optional', () => {
    expect(Object.keys(schema.entries)).toEqual(['toy']);
    expect(v.parse(schema, {})).toEqual({ toy: {} });
    expect(v.parse(schema, { toy: { url: 'toys://user@shelf:9', shelf: 'attic' } })).toEqual({ toy: { url: 'toys://user@shelf:9', shelf: 'attic' } });
  });

  it('accepts only its schemes, showing a refused URL without its password', () => {
    const result = v.safeParse(schema, { toy: { url: 'http://user:hunter2@host' } });
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toBe('must be a toy:// or toys:// URL with a host; got "http://user:***@host/"');
  });

  it('refuses keys the store did not declare', () => {
    expect(v.safeParse(schema, { toy: { drawer: 'x' } }).success).toBe(false);
  });
});
