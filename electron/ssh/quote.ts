/**
 * One argument for a POSIX shell, single-quoted: inside single quotes nothing is special except the
 * closing quote, which is written as `'\''`. NUL cannot be passed in an argument at all, so it is refused
 * rather than silently cutting the string short.
 */
export function shQuote(arg: string): string {
  return `'${escaped(arg)}'`;
}

/** What goes between shQuote's quotes. */
function escaped(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL character');
  return arg.replace(/'/g, `'\\''`);
}

/**
 * shQuote(parts.join('')), escaping a part that occurs again (the same text) only once. Quoting works
 * character by character, so the parts' escapes join up. A root command's script is in its time-limit
 * wrapper twice and the wrapper is quoted again for sudo: for a rollout's 4 KB scripts that second
 * quoting of the script was most of the cost of building the command.
 */
export function shQuoteJoined(parts: readonly string[]): string {
  const out: string[] = [];
  parts.forEach((part, i) => {
    const first = parts.indexOf(part);
    out.push(first < i ? (out[first] as string) : escaped(part));
  });
  return `'${out.join('')}'`;
}

/** A command line of quoted arguments: `shJoin(['printf', '%s', x])`. */
export function shJoin(args: readonly string[]): string {
  return args.map(shQuote).join(' ');
}

/**
 * A template tag that quotes every interpolated value: sh`grep -c ${pattern} ${file}`. Arrays become
 * several arguments. The literal parts are the caller's fixed script text.
 */
export function sh(
  strings: TemplateStringsArray,
  ...values: (string | number | readonly string[])[]
): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += typeof v === 'number' ? shQuote(String(v)) : typeof v === 'string' ? shQuote(v) : shJoin(v);
    out += strings[i + 1] ?? '';
  });
  return out;
}
