import os from 'node:os';

import type { OperatorInfo } from '../../shared/decisions';
import type { MetaRepo } from '../db/repos/meta';

const KEY = 'operator.name';

function readOsUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    // userInfo throws when the uid has no passwd entry (some containers).
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

// The process's user does not change while it runs: read once (os.userInfo is a passwd lookup, and every
// audit entry asked for it — a rollout writes one per host).
let osUserName: string | null = null;
const osUser = (): string => (osUserName ??= readOsUser());

/** Who entries are recorded as: the operator name from Settings, else the OS user name. */
export function operatorSettings(meta: MetaRepo) {
  const info = (): OperatorInfo => {
    const name = meta.get(KEY) ?? '';
    const user = osUser();
    return { name, osUser: user, actor: name || user };
  };
  return {
    info,
    actor: (): string => info().actor,
    /** Sets (or with '' clears) the operator name. */
    set: (name: string): void => meta.set(KEY, name.trim()),
  };
}

/** The operator name setting. */
export type OperatorSettings = ReturnType<typeof operatorSettings>;
