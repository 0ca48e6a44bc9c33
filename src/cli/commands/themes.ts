import type { Command } from 'commander';
import { explainThemes } from '../../workers/themes/themes.js';
import { loadTaxonomy } from '../../workers/themes/taxonomy.js';

export function registerThemes(program: Command) {
  const themes = program.command('themes').description('the theme taxonomy');
  themes
    .command('explain')
    .description('show which themes a text gets and why (for tuning a taxonomy)')
    .argument('<text>')
    .option('--themes <file>', 'taxonomy file (default config/themes.yaml)')
    .action((text: string, opts) => {
      console.log(explainThemes(text, loadTaxonomy(opts.themes)));
    });
}
