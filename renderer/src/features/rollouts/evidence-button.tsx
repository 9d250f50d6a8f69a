/** "Export evidence": downloads the rollout's evidence pack (zip with manifest and SHA-256 sums). */
import { useState } from 'react';

import type { RolloutDetail } from '../../../../shared/domain';
import { Icon } from '../../components/icons';
import { errorMessage } from '../../stores/errors';
import { useStoreApi } from '../../stores/store';
import { downloadText } from '../machines/export-csv';

// The core sends the zip base64-encoded (the browser host speaks JSON); the download needs its bytes.
const bytesOf = (base64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The button on a rollout's page, once it has been reviewed (before that there is nothing to prove). */
export function EvidenceButton({ r }: { r: RolloutDetail }) {
  const store = useStoreApi();
  const [busy, setBusy] = useState(false);
  const exportPack = async () => {
    const s = store.getState();
    setBusy(true);
    try {
      const pack = await s.api['rollouts.evidence']({ id: r.id });
      downloadText(pack.fileName, bytesOf(pack.base64), 'application/zip');
      s.toast('success', `Saved ${pack.fileName}. Anyone can check it with its SHA256SUMS file.`);
    } catch (e) {
      s.toast('error', `Could not export the evidence: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="button"
      data-testid="export-evidence"
      disabled={busy}
      title="A zip of the approvals, scans, reviewed plans, pre-flight, logs, outcomes and audit entries, with SHA-256 sums"
      onClick={() => void exportPack()}
    >
      <Icon name="export" />
      {busy ? 'Exporting…' : 'Export evidence'}
    </button>
  );
}
