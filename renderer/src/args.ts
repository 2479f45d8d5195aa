// Splits an arguments line the way a shell user expects: spaces separate, "double" or 'single' quotes keep
// spaces, a backslash escapes the next character. No variables or globs: the program gets the text as is.
export function splitArgs(line: string): { args: string[] } | { error: string } {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) return { error: `The arguments have an unclosed ${quote === '"' ? 'double' : 'single'} quote.` };
  if (inWord) args.push(current);
  return { args };
}
