import { ConfigError } from '../core/index.ts';

/**
 * `--command "…"` split into a program and its arguments as a POSIX shell splits words: blanks separate, single quotes
 * keep everything, double quotes keep all but `\"` and `\\`, a backslash outside quotes escapes the next character.
 * No shell runs it (no pipes, `&&`, variables or globs), so the soak's SIGTERM reaches the program itself; wrap it in
 * `sh -c '…'` when a shell is wanted and let the shell `exec` the program.
 */
export function commandWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word = (word ?? '') + c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word = (word ?? '') + (text[++i] as string);
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + (text[++i] as string);
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new ConfigError('--command', `has an unclosed ${quote} quote: ${text}`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new ConfigError('--command', 'must name a program to run');
  return words;
}
