/**
 * What changed between two versions of a plan, in words, for the `plan.updated` audit entry: a reader of
 * the log sees "schedule: … → …; rings: added servers" without diffing two JSON documents by eye.
 */
import type { PlanDefinition } from '../../shared/plans';
import { describeSchedule } from './describe';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The changed parts of a plan (`changed` names the fields; `summary` says it in one line). */
export function planDiff(
  before: PlanDefinition | null,
  after: PlanDefinition,
): { changed: string[]; summary: string } {
  if (!before) return { changed: ['definition'], summary: 'replaced a definition that no longer validated' };
  const parts: string[] = [];
  const changed: string[] = [];
  const note = (field: string, words: string) => {
    changed.push(field);
    parts.push(words);
  };
  if (before.name !== after.name) note('name', `name: ${before.name} → ${after.name}`);
  if (!same(before.schedule, after.schedule)) {
    note('schedule', `schedule: ${describeSchedule(before.schedule)} → ${describeSchedule(after.schedule)}`);
  }
  if (!same(before.content, after.content))
    note('content', `content: ${before.content.kind} → ${after.content.kind}`);
  if (!same(before.options, after.options)) note('options', 'options changed');
  if (!same(before.failureThreshold, after.failureThreshold))
    note('failureThreshold', 'plan failure threshold changed');
  if (before.useMaintenanceWindows !== after.useMaintenanceWindows) {
    note(
      'useMaintenanceWindows',
      after.useMaintenanceWindows ? 'maintenance windows now apply' : 'maintenance windows now ignored',
    );
  }
  const names = (d: PlanDefinition) => d.rings.map((r) => r.name);
  const added = names(after).filter((n) => !names(before).includes(n));
  const removed = names(before).filter((n) => !names(after).includes(n));
  const edited = after.rings
    .filter((r) => {
      const old = before.rings.find((o) => o.name === r.name);
      return old !== undefined && !same(old, r);
    })
    .map((r) => r.name);
  const reordered = added.length === 0 && removed.length === 0 && !same(names(before), names(after));
  if (added.length || removed.length || edited.length || reordered) {
    const words = [
      added.length ? `added ${added.join(', ')}` : '',
      removed.length ? `removed ${removed.join(', ')}` : '',
      edited.length ? `changed ${edited.join(', ')}` : '',
      reordered ? `reordered to ${names(after).join(' → ')}` : '',
    ].filter(Boolean);
    note('rings', `rings: ${words.join('; ')}`);
  }
  if (!same(before.healthChecks, after.healthChecks)) {
    note('healthChecks', `health checks: ${before.healthChecks.length} → ${after.healthChecks.length}`);
  }
  for (const k of ['pre', 'post'] as const) {
    if ((before.scripts[k] ?? '') !== (after.scripts[k] ?? '')) {
      const verb = !before.scripts[k] ? 'added' : !after.scripts[k] ? 'removed' : 'changed';
      note(`scripts.${k}`, `${k}-script ${verb}`);
    }
  }
  return { changed, summary: parts.length ? parts.join('; ') : 'no change' };
}
