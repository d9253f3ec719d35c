import type * as PlotsModule from './plots.ts';
import type { SkippedPlots } from './report-html.ts';
import type { Env } from '../core/index.ts';

/** The optional peer dependencies that draw the plots; without them the soak writes its JSON, CSV and Markdown only. */
export const PlotPackages = ['vega', 'vega-lite', '@resvg/resvg-js'] as const;

export type Plots = typeof PlotsModule;

const missingPackage = (error: unknown): boolean => {
  const code = (error as { code?: string }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/** The plotting module, or why it is skipped and what to install; ORCHESTRON_SOAK_PLOTS=off skips it on purpose. */
export async function loadPlots(env: Env = process.env): Promise<Plots | SkippedPlots> {
  const install = `install ${PlotPackages.join(', ')} to get them (npm install --save-dev ${PlotPackages.join(' ')})`;
  if (env.ORCHESTRON_SOAK_PLOTS === 'off') return { skipped: `ORCHESTRON_SOAK_PLOTS=off; ${install}` };
  try {
    return await import('./plots.ts');
  } catch (error) {
    if (!missingPackage(error)) throw error;
    return { skipped: `${(error as Error).message.split('\n')[0]}; ${install}` };
  }
}
