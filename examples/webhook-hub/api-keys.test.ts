import { describe, expect, it } from 'vitest';
import { ApiKeys } from './api-keys.ts';

describe('ApiKeys', () => {
  it('names the key presented and rejects others, prefixes and extensions included', () => {
    const keys = new ApiKeys([
      { name: 'shop', key: 'shop-key-0123456789' },
      { name: 'crm', key: 'crm-key-0123456789ab' },
    ]);
    expect(keys.identify('shop-key-0123456789')).toBe('shop');
    expect(keys.identify('crm-key-0123456789ab')).toBe('crm');
    for (const wrong of ['', 'shop-key-012345678', 'shop-key-01234567890', 'SHOP-KEY-0123456789', 'crm-key-0123456789aa']) {
      expect(keys.identify(wrong)).toBeUndefined();
    }
  });
});
