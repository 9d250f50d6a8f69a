/** Pure selection helpers over the ordered list of machine ids shown in the table. */

/** Ids between `anchor` and `target` inclusive, in list order; just `target` when the anchor is gone. */
export function rangeIds(order: readonly number[], anchor: number | null, target: number): number[] {
  const to = order.indexOf(target);
  if (to < 0) return [];
  const from = anchor === null ? -1 : order.indexOf(anchor);
  if (from < 0) return [target];
  const [lo, hi] = from < to ? [from, to] : [to, from];
  return order.slice(lo, hi + 1);
}

/** The selection with `id` flipped. */
export function toggled(selection: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(selection);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** The selection restricted to ids still present, or the same object when nothing was dropped. */
export function pruned(selection: ReadonlySet<number>, present: ReadonlySet<number>): ReadonlySet<number> {
  for (const id of selection) {
    if (!present.has(id)) return new Set([...selection].filter((x) => present.has(x)));
  }
  return selection;
}
