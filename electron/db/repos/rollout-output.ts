import type { RolloutOutputChunk } from '../../../shared/rollout';
import { type Db, transactions } from '../open';

/** Bound on the output kept per host: the newest text wins, the oldest chunks go. */
export const OUTPUT_LIMIT_BYTES = 256 * 1024;

/** The bounded output of rollout hosts (table rollout_output, and the byte count on rollout_hosts). */
export function rolloutOutputRepo(db: Db) {
  const tx = transactions(db);
  // Prepared once: an append runs at every poll of every installing host (bench:rollout).
  const insert = db.prepare(
    'INSERT INTO rollout_output (rollout_id, machine_id, at, text) VALUES (?, ?, ?, ?)',
  );
  const addBytes = db.prepare(
    `UPDATE rollout_hosts SET output_bytes = output_bytes + ?, log_offset = COALESCE(?, log_offset)
     WHERE rollout_id = ? AND machine_id = ? RETURNING output_bytes`,
  );
  const textOf = db.prepare(
    'SELECT text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? ORDER BY id',
  );
  return {
    /**
     * Appends output for a host, and its new log offset, in one transaction (so a resume neither loses nor
     * repeats text); then drops the oldest chunks beyond OUTPUT_LIMIT_BYTES.
     */
    appendOutput(
      rolloutId: number,
      machineId: number,
      text: string,
      logOffset: number | null,
      now: number,
    ): void {
      tx.deferred(() => {
        if (text !== '') insert.run(rolloutId, machineId, now, text);
        const row = addBytes.get(Buffer.byteLength(text), logOffset, rolloutId, machineId) as
          { output_bytes: number } | undefined;
        let bytes = row?.output_bytes ?? 0;
        if (bytes <= OUTPUT_LIMIT_BYTES) return;
        const oldest = db.prepare(
          'SELECT id, text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? ORDER BY id LIMIT 64',
        );
        const drop = db.prepare('DELETE FROM rollout_output WHERE id = ?');
        while (bytes > OUTPUT_LIMIT_BYTES) {
          const rows = oldest.all(rolloutId, machineId) as { id: number; text: string }[];
          if (rows.length <= 1) break;
          for (const r of rows.slice(0, -1)) {
            if (bytes <= OUTPUT_LIMIT_BYTES) break;
            drop.run(r.id);
            bytes -= Buffer.byteLength(r.text);
          }
        }
        db.prepare('UPDATE rollout_hosts SET output_bytes = ? WHERE rollout_id = ? AND machine_id = ?').run(
          bytes,
          rolloutId,
          machineId,
        );
      });
    },
    /** A host's stored output after chunk `afterId`, oldest first. */
    output(rolloutId: number, machineId: number, afterId: number, limit: number): RolloutOutputChunk[] {
      return db
        .prepare(
          'SELECT id, at, text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? AND id > ? ORDER BY id LIMIT ?',
        )
        .all(rolloutId, machineId, afterId, limit) as RolloutOutputChunk[];
    },
    /** The kept output of a host as one string (failure classification reads it). */
    outputText(rolloutId: number, machineId: number): string {
      const rows = textOf.all(rolloutId, machineId) as { text: string }[];
      return rows.map((r) => r.text).join('');
    },
  };
}
