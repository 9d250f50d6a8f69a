import { migration0001 } from './0001-inventory';

/** A schema change: applied once, in version order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append; never edit or reorder a landed one. */
export const MIGRATIONS: readonly Migration[] = [migration0001];
