import { describe, expect, it } from 'vitest';

import { classifySudo, sudoCommand, SudoGate, sudoMessage } from './sudo';

describe('sudo wrapping', () => {
  it('uses sudo -n without a password and sudo -S with a random prompt with one, in the C locale', () => {
    const a = sudoCommand('apt-get -s upgrade', false);
    expect(a.command).toMatch(/^env LC_ALL=C sudo -n -- \/bin\/sh -c '/);
    const b = sudoCommand('apt-get -s upgrade', true);
    expect(b.command).toContain(`sudo -S -p '${b.prompt}' -- /bin/sh -c`);
    expect(b.prompt).not.toBe(sudoCommand('x', true).prompt);
    // Whatever the script, it is one quoted argument of sh -c.
    expect(sudoCommand("echo 'hi'; id", false).command).toContain(`'\\''hi'\\''; id'`);
  });

  it('splits sudo chatter from the command output across chunk boundaries', () => {
    const { prompt, ready } = sudoCommand('x', true);
    const gate = new SudoGate(prompt, ready);
    const first = `sudo: unable to resolve host web01\n${prompt}`;
    const cut = first.length - 5;
    expect(gate.push(Buffer.from(first.slice(0, cut)))).toEqual({ newPrompts: 0, after: null });
    expect(gate.push(Buffer.from(first.slice(cut)))).toEqual({ newPrompts: 1, after: null });
    const { newPrompts, after } = gate.push(Buffer.from(`\n${ready}\ncommand stderr`));
    expect(newPrompts).toBe(0);
    expect(gate.open).toBe(true);
    expect(after?.toString()).toBe('command stderr');
    expect(gate.preamble.toString()).toBe('sudo: unable to resolve host web01\n\n');
  });

  it('counts a second prompt (the password was refused) and keeps the text to classify', () => {
    const { prompt, ready } = sudoCommand('x', true);
    const gate = new SudoGate(prompt, ready);
    gate.push(Buffer.from(prompt));
    gate.push(Buffer.from(`\nSorry, try again.\n${prompt}`));
    expect(gate.prompts).toBe(2);
    expect(gate.open).toBe(false);
    expect(gate.failureText()).toBe('\nSorry, try again.\n');
  });

  // Texts as sudo 1.9.13 prints them in the C locale (captured from the test targets).
  it.each([
    ['sudo: a password is required\n', 1, 'password-required'],
    ['nosudo is not in the sudoers file.\n', 1, 'not-allowed'],
    ['nosudo is not in the sudoers file.  This incident will be reported.\n', 1, 'not-allowed'],
    ["Sorry, user web is not allowed to execute '/bin/sh -c x' as root on web01.\n", 1, 'not-allowed'],
    [
      'Sorry, try again.\n\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n',
      1,
      'wrong-password',
    ],
    ['', 2, 'wrong-password'],
    ['sudo: sorry, you must have a tty to run sudo\n', 1, 'requiretty'],
    ['sh: 1: sudo: not found\n', 127, 'not-installed'],
    ["env: 'sudo': No such file or directory\n", 127, 'not-installed'],
    ['something else\n', 1, 'unknown'],
  ] as const)('classifies %j', (stderr, codeOrPrompts, want) => {
    const prompts = codeOrPrompts === 2 ? 2 : 0;
    const code = codeOrPrompts === 2 ? 1 : codeOrPrompts;
    expect(classifySudo(stderr, prompts, code)).toBe(want);
  });

  it('words each failure for a technician', () => {
    expect(sudoMessage('password-required', 'db01 (10.0.0.5:22)', 'ops', false)).toMatch(
      /^sudo on db01 \(10.0.0.5:22\) requires a password for "ops"/,
    );
    expect(sudoMessage('not-allowed', 'db01', 'ops', true)).toMatch(/^"ops" is not allowed to sudo on db01/);
    expect(sudoMessage('wrong-password', 'db01', 'ops', true)).toMatch(/rejected the stored sudo password/);
  });
});
