/**
 * One argument for a POSIX shell, single-quoted: inside single quotes nothing is special except the
 * closing quote, which is written as `'\''`. NUL cannot be passed in an argument at all, so it is refused
 * rather than silently cutting the string short.
 */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL character');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
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
