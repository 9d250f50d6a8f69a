import { migration0001 } from './0001-inventory';
import { migration0002 } from './0002-host-keys';
import { migration0003 } from './0003-scans';
import { migration0004 } from './0004-fleet-counts';
import { migration0005 } from './0005-patch-ecosystems';
import { migration0006 } from './0006-approvals-audit';
import { migration0007 } from './0007-rollouts';
import { migration0008 } from './0008-rollout-pause-retry';
import { migration0009 } from './0009-plans-windows';
import { migration0010 } from './0010-plan-runs';
import { migration0011 } from './0011-risk-sla';
import { migration0012 } from './0012-winrm-https';
import { migration0013 } from './0013-compliance';
import { migration0014 } from './0014-approval-rules';

/** A schema change: applied once, in version order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append; never edit or reorder a landed one. */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
];
