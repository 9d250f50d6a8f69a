import type {
  Facets,
  InventorySummary,
  Machine,
  MachineFilter,
  MachineInput,
  MachineSortKey,
} from '../../../shared/domain';
import type { Db } from '../open';
import { toStatus } from './machine-status';

interface MachineRow {
  id: number;
  display_name: string;
  address: string;
  port: number;
  transport: 'ssh' | 'winrm';
  username: string;
  credential_id: number | null;
  os: string;
  client: string;
  site: string;
  notes: string;
  proxy_jump: string;
  winrm_https: 0 | 1;
  winrm_basic: 0 | 1;
  created_at: number;
  updated_at: number;
  tags_json: string;
  s_last_scan_at: number | null;
  [status: `s_${string}`]: unknown;
}

const STATUS_COLUMNS = [
  'last_scan_at',
  'last_ok_at',
  'last_status',
  'last_error_kind',
  'missing_count',
  'security_count',
  'held_count',
  'held_security_count',
  'reboot_required',
  'eol_state',
  'eol_name',
  'eol_ends',
];

const SELECT = `SELECT m.*, (SELECT json_group_array(tag) FROM (SELECT tag FROM machine_tags t
  WHERE t.machine_id = m.id ORDER BY tag)) AS tags_json, ${STATUS_COLUMNS.map((c) => `s.${c} AS s_${c}`).join(', ')}
  FROM machines m LEFT JOIN machine_status s ON s.machine_id = m.id`;

const SORT_SQL: Record<MachineSortKey, string> = {
  displayName: 'm.display_name COLLATE NOCASE',
  address: 'm.address COLLATE NOCASE',
  os: 'm.os COLLATE NOCASE',
  client: 'm.client COLLATE NOCASE',
  site: 'm.site COLLATE NOCASE',
  updatedAt: 'm.updated_at',
  missing: 'coalesce(s.missing_count, -1)',
  security: 'coalesce(s.security_count, -1)',
  lastScan: 'coalesce(s.last_scan_at, 0)',
};

function toMachine(r: MachineRow): Machine {
  return {
    id: r.id,
    displayName: r.display_name,
    address: r.address,
    port: r.port,
    transport: r.transport,
    username: r.username,
    credentialId: r.credential_id,
    os: r.os,
    tags: JSON.parse(r.tags_json) as string[],
    client: r.client,
    site: r.site,
    notes: r.notes,
    proxyJump: r.proxy_jump,
    winrmHttps: r.winrm_https === 1,
    winrmBasic: r.winrm_basic === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    status:
      r.s_last_scan_at === null
        ? null
        : toStatus(Object.fromEntries(STATUS_COLUMNS.map((c) => [c, r[`s_${c}`]]))),
  };
}

/** The WinRM flags as SQLite integers; null where the input leaves them out. */
const winrmFlags = (i: MachineInput) => ({
  winrmHttps: i.winrmHttps === undefined ? null : Number(i.winrmHttps),
  winrmBasic: i.winrmBasic === undefined ? null : Number(i.winrmBasic),
});

/** Escapes LIKE wildcards so user text matches literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Builds a WHERE clause for a filter, with named parameters. Lists travel as one JSON parameter each. */
export function filterSql(filter: Omit<MachineFilter, 'groupId'>): {
  where: string;
  params: Record<string, unknown>;
} {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const words = filter.text?.trim().split(/\s+/).filter(Boolean).slice(0, 10) ?? [];
  words.forEach((word, i) => {
    const p = `@w${i}`;
    const like = (col: string) => `${col} LIKE ${p} ESCAPE '\\'`;
    parts.push(
      `(${['m.display_name', 'm.address', 'm.username', 'm.client', 'm.site', 'm.os', 'm.notes'].map(like).join(' OR ')}` +
        ` OR EXISTS (SELECT 1 FROM machine_tags t WHERE t.machine_id = m.id AND ${like('t.tag')}))`,
    );
    params[`w${i}`] = likePattern(word);
  });
  if (filter.tags && filter.tags.length > 0) {
    parts.push(
      'EXISTS (SELECT 1 FROM machine_tags t WHERE t.machine_id = m.id AND t.tag IN (SELECT value FROM json_each(@tags)))',
    );
    params.tags = JSON.stringify(filter.tags);
  }
  const inList = (column: string, name: string, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    parts.push(`lower(${column}) IN (SELECT lower(value) FROM json_each(@${name}))`);
    params[name] = JSON.stringify(values);
  };
  inList('m.client', 'clients', filter.clients);
  inList('m.site', 'sites', filter.sites);
  inList('m.os', 'os', filter.os);
  if (filter.transport) {
    parts.push('m.transport = @transport');
    params.transport = filter.transport;
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Named queries over machines and their tags. */
export function machinesRepo(db: Db) {
  const byId = db.prepare<[number], MachineRow>(`${SELECT} WHERE m.id = ?`);
  const byEndpoint = db.prepare<[string, number], MachineRow>(
    `${SELECT} WHERE lower(m.address) = lower(?) AND m.port = ?`,
  );
  const insert = db.prepare(`INSERT INTO machines (display_name, address, port, transport, username,
    credential_id, client, site, notes, proxy_jump, winrm_https, winrm_basic, created_at, updated_at)
    VALUES (@displayName, @address, @port, @transport, @username, @credentialId, @client, @site, @notes,
    @proxyJump, coalesce(@winrmHttps, 0), coalesce(@winrmBasic, 0), @now, @now)`);
  // The WinRM flags are kept when an edit does not name them (imports, older clients).
  const update = db.prepare(`UPDATE machines SET display_name = @displayName, address = @address,
    port = @port, transport = @transport, username = @username, credential_id = @credentialId,
    client = @client, site = @site, notes = @notes, proxy_jump = @proxyJump,
    winrm_https = coalesce(@winrmHttps, winrm_https), winrm_basic = coalesce(@winrmBasic, winrm_basic),
    updated_at = @now WHERE id = @id`);
  const clearTags = db.prepare('DELETE FROM machine_tags WHERE machine_id = ?');
  const addTag = db.prepare('INSERT OR IGNORE INTO machine_tags (machine_id, tag) VALUES (?, ?)');
  const removeTag = db.prepare('DELETE FROM machine_tags WHERE machine_id = ? AND tag = ?');
  const touch = db.prepare('UPDATE machines SET updated_at = ? WHERE id = ?');
  const deleteIds = db.prepare('DELETE FROM machines WHERE id IN (SELECT value FROM json_each(?))');
  const existingIds = db
    .prepare('SELECT id FROM machines WHERE id IN (SELECT value FROM json_each(?))')
    .pluck();
  const count = db.prepare('SELECT count(*) FROM machines').pluck();
  const exists = db.prepare<[number], number>('SELECT 1 FROM machines WHERE id = ?').pluck();
  // Every count comes from rows kept by triggers (migration 0004): constant time, whatever the fleet size.
  const summary = db.prepare(`SELECT f.machines, f.scanned, f.needs_security AS needsSecurity,
    f.needs_reboot AS needsReboot, f.eol AS endOfLife, f.extended AS extendedSupportOnly,
    f.failed AS failedLastScan, f.missing AS missingPatches, f.security AS securityPatches,
    f.held AS heldPatches, f.held_security AS heldSecurityPatches,
    f.ssh, f.machines - f.scanned AS notScanned,
    (SELECT count(*) FROM label_counts WHERE kind = 'client') AS clients,
    (SELECT count(*) FROM label_counts WHERE kind = 'site') AS sites,
    (SELECT count(*) FROM label_counts WHERE kind = 'tag') AS tags
    FROM fleet_counts f`);

  const setTags = (id: number, tags: string[]) => {
    clearTags.run(id);
    for (const t of tags) addTag.run(id, t);
  };

  return {
    get(id: number): Machine | null {
      const r = byId.get(id);
      return r ? toMachine(r) : null;
    },
    /** Whether a machine is there (no row data: a rollout asks before each step of a host). */
    exists(id: number): boolean {
      return exists.get(id) !== undefined;
    },
    findByEndpoint(address: string, port: number): Machine | null {
      const r = byEndpoint.get(address, port);
      return r ? toMachine(r) : null;
    },
    count(): number {
      return Number(count.get());
    },
    /** Machines matching a filter, sorted; ties broken by id so the order is stable. */
    list(
      filter: Omit<MachineFilter, 'groupId'>,
      sortKey: MachineSortKey,
      direction: 'asc' | 'desc',
      page?: { offset: number; limit: number },
    ): Machine[] {
      const { where, params } = filterSql(filter);
      const dir = direction === 'desc' ? 'DESC' : 'ASC';
      const limit = page ? ' LIMIT @limit OFFSET @offset' : '';
      const rows = db
        .prepare<[Record<string, unknown>], MachineRow>(
          `${SELECT} ${where} ORDER BY ${SORT_SQL[sortKey]} ${dir}, m.id ${dir}${limit}`,
        )
        .all(page ? { ...params, ...page } : params);
      return rows.map(toMachine);
    },
    /** Ids of the machines matching a filter, in `list` order (no row data: cheap even at 10,000). */
    ids(
      filter: Omit<MachineFilter, 'groupId'>,
      sortKey: MachineSortKey,
      direction: 'asc' | 'desc',
    ): number[] {
      const { where, params } = filterSql(filter);
      const dir = direction === 'desc' ? 'DESC' : 'ASC';
      return db
        .prepare<[Record<string, unknown>], number>(
          `SELECT m.id FROM machines m LEFT JOIN machine_status s ON s.machine_id = m.id ${where}
           ORDER BY ${SORT_SQL[sortKey]} ${dir}, m.id ${dir}`,
        )
        .pluck()
        .all(params);
    },
    /** How many machines match; the unfiltered count comes from the trigger-kept counter row. */
    countMatching(filter: Omit<MachineFilter, 'groupId'>): number {
      const { where, params } = filterSql(filter);
      if (!where) return Number(db.prepare('SELECT machines FROM fleet_counts').pluck().get());
      return Number(
        db
          .prepare<[Record<string, unknown>], number>(
            `SELECT count(*) FROM machines m LEFT JOIN machine_status s ON s.machine_id = m.id ${where}`,
          )
          .pluck()
          .get(params),
      );
    },
    /** Inserts a machine with its tags; the caller wraps batches in a transaction. */
    insert(input: MachineInput, now: number): number {
      const info = insert.run({ ...input, ...winrmFlags(input), now });
      const id = Number(info.lastInsertRowid);
      setTags(id, input.tags);
      return id;
    },
    update(id: number, input: MachineInput, now: number): boolean {
      const info = update.run({ ...input, ...winrmFlags(input), id, now });
      if (info.changes === 0) return false;
      setTags(id, input.tags);
      return true;
    },
    editTags(ids: number[], add: string[], remove: string[], now: number): number {
      const present = existingIds.all(JSON.stringify(ids)) as number[];
      for (const id of present) {
        for (const t of remove) removeTag.run(id, t);
        for (const t of add) addTag.run(id, t);
        touch.run(now, id);
      }
      return present.length;
    },
    delete(ids: number[]): number {
      return deleteIds.run(JSON.stringify(ids)).changes;
    },
    summary(): InventorySummary {
      const row = summary.get() as Omit<InventorySummary, 'winrm'>;
      return { ...row, winrm: row.machines - row.ssh };
    },
    facets(): Facets {
      const distinct = (column: string) =>
        db
          .prepare(
            `SELECT DISTINCT ${column} AS v FROM machines WHERE ${column} != '' ORDER BY ${column} COLLATE NOCASE`,
          )
          .pluck()
          .all() as string[];
      return {
        tags: db
          .prepare('SELECT DISTINCT tag FROM machine_tags ORDER BY tag COLLATE NOCASE')
          .pluck()
          .all() as string[],
        clients: distinct('client'),
        sites: distinct('site'),
        os: distinct('os'),
      };
    },
  };
}

/** The machines repository's interface. */
export type MachinesRepo = ReturnType<typeof machinesRepo>;
