import type { RequestHandlers } from '../../shared/ipc';
import type { CredentialService } from './credential-service';
import type { groupService } from './group-service';
import type { importService } from './import-service';
import type { MachineService } from './machine-service';

type InventoryChannels =
  | 'machines.list'
  | 'machines.get'
  | 'machines.create'
  | 'machines.update'
  | 'machines.delete'
  | 'machines.editTags'
  | 'machines.facets'
  | 'machines.summary'
  | 'machines.exportCsv'
  | 'groups.list'
  | 'groups.save'
  | 'groups.delete'
  | 'credentials.list'
  | 'credentials.create'
  | 'credentials.delete'
  | 'import.preview'
  | 'import.commit';

/** The inventory's requests (machines, groups, credentials, imports), as the UI and the CLI send them. */
export function inventoryHandlers(deps: {
  machines: MachineService;
  groups: ReturnType<typeof groupService>;
  credentials: CredentialService;
  imports: ReturnType<typeof importService>;
}): Pick<RequestHandlers, InventoryChannels> {
  const { machines, groups, credentials, imports } = deps;
  return {
    'machines.list': async ({ filter, sort, page, withIds }) =>
      machines.list(filter, sort.key, sort.direction, page, withIds),
    'machines.get': async ({ id }) => machines.get(id),
    'machines.create': async ({ machine }) => machines.create(machine),
    'machines.update': async ({ id, machine }) => machines.update(id, machine),
    'machines.delete': async ({ ids }) => machines.delete(ids),
    'machines.editTags': async ({ ids, add, remove }) => machines.editTags(ids, add, remove),
    'machines.facets': async () => machines.facets(),
    'machines.summary': async () => machines.summary(),
    'machines.exportCsv': async ({ filter }) => machines.exportCsv(filter),
    'groups.list': async () => groups.list(),
    'groups.save': async (req) => groups.save(req),
    'groups.delete': async ({ id }) => groups.delete(id),
    'credentials.list': async () => credentials.list(),
    'credentials.create': async ({ credential }) => credentials.create(credential),
    'credentials.delete': async ({ id }) => credentials.delete(id),
    'import.preview': async (req) => imports.preview(req),
    'import.commit': async ({ onDuplicate, ...req }) => imports.commit(req, onDuplicate),
  };
}
