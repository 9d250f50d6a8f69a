/** The filter menus over machines (tag, client, site, OS, transport, group), for any page that filters them. */
import { useShallow } from 'zustand/react/shallow';

import type { MachineFilter, Transport } from '../../../../shared/domain';
import type { FilterOption } from '../../components/filter-menu';
import { FilterMenu } from '../../components/filter-menu';
import { useAppStore } from '../../stores/store';
import { TRANSPORT_LABEL } from './format';

const asOptions = (values: readonly string[]): FilterOption[] => values.map((v) => ({ value: v, label: v }));
const TRANSPORTS: FilterOption[] = (['ssh', 'winrm'] as const).map((t) => ({
  value: t,
  label: TRANSPORT_LABEL[t],
}));

/** Props of {@link MachineFilterMenus}. */
export interface MachineFilterMenusProps {
  filter: MachineFilter;
  onChange(patch: Partial<MachineFilter>): void;
}

/** One menu per filterable field, with values from the inventory's facets and saved groups. */
export function MachineFilterMenus({ filter, onChange }: MachineFilterMenusProps) {
  const { facets, groups } = useAppStore(useShallow((s) => ({ facets: s.facets, groups: s.groups })));
  const groupOptions = groups.map((g) => ({ value: String(g.id), label: g.name }));
  return (
    <>
      <FilterMenu
        label="Tag"
        options={asOptions(facets.tags)}
        selected={filter.tags ?? []}
        onChange={(tags) => onChange({ tags })}
        emptyText="No tags yet. Add tags to machines to filter by them."
      />
      <FilterMenu
        label="Client"
        options={asOptions(facets.clients)}
        selected={filter.clients ?? []}
        onChange={(clients) => onChange({ clients })}
        emptyText="No clients yet. Set a machine's client to filter by it."
      />
      <FilterMenu
        label="Site"
        options={asOptions(facets.sites)}
        selected={filter.sites ?? []}
        onChange={(sites) => onChange({ sites })}
        emptyText="No sites yet. Set a machine's site to filter by it."
      />
      <FilterMenu
        label="OS"
        options={asOptions(facets.os)}
        selected={filter.os ?? []}
        onChange={(os) => onChange({ os })}
        emptyText="No OS known yet: it is filled in when a machine is scanned."
      />
      <FilterMenu
        label="Transport"
        single
        options={TRANSPORTS}
        selected={filter.transport ? [filter.transport] : []}
        onChange={([t]) => onChange({ transport: t as Transport | undefined })}
        emptyText=""
      />
      <FilterMenu
        label="Group"
        single
        options={groupOptions}
        selected={filter.groupId === undefined ? [] : [String(filter.groupId)]}
        onChange={([id]) => onChange({ groupId: id === undefined ? undefined : Number(id) })}
        emptyText="No groups yet. Filter the list, then use “Save as group”."
      />
    </>
  );
}
