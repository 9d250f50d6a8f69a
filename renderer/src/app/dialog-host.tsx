/** Renders the one open dialog named in the store. */
import { ImportWizard } from '../features/import/import-wizard';
import { DeleteMachinesDialog } from '../features/machines/delete-machines-dialog';
import { EditTagsDialog } from '../features/machines/edit-tags-dialog';
import { MachineDialog } from '../features/machines/machine-dialog';
import { SaveGroupDialog } from '../features/machines/save-group-dialog';
import { DecideDialog } from '../features/patches/decide-dialog';
import { RolloutWizard } from '../features/rollouts/rollout-wizard';
import { HostKeyDialog } from '../features/scan/host-key-dialog';
import { useAppStore } from '../stores/store';

/** Mounts the open dialog; each dialog closes itself through `closeDialog`. */
export function DialogHost() {
  const dialog = useAppStore((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'machine':
      return <MachineDialog key={dialog.id ?? 'new'} machineId={dialog.id} />;
    case 'import':
      return <ImportWizard />;
    case 'delete-machines':
      return <DeleteMachinesDialog ids={dialog.ids} />;
    case 'edit-tags':
      return <EditTagsDialog ids={dialog.ids} />;
    case 'save-group':
      return <SaveGroupDialog />;
    case 'host-key':
      return <HostKeyDialog key={dialog.prompt.resultId} prompt={dialog.prompt} />;
    case 'new-rollout':
      return <RolloutWizard machineIds={dialog.machineIds} />;
    case 'decide':
      return <DecideDialog target={dialog.target} />;
  }
}
