import { checkOneOf } from '../core/index.ts';

/** How hard the chaos scenarios push: `short` runs in `npm test` (each scenario within about a minute), `full` is the real thing. */
export const ChaosProfiles = ['short', 'full'] as const;
export type ChaosProfile = (typeof ChaosProfiles)[number];

/** CHAOS_PROFILE, default `full`. */
export const profile: ChaosProfile = checkOneOf('CHAOS_PROFILE', process.env.CHAOS_PROFILE ?? 'full', ChaosProfiles);

/** The value for the current profile. */
export const scaled = <T>(values: { readonly short: T; readonly full: T }): T => values[profile];
