import type { RequestHandlers } from '../../shared/ipc';
import type { EvidenceService } from './export';

/**
 * The evidence request: the pack's bytes go back base64-encoded in the response, so the browser host (JSON
 * over a WebSocket) and Electron's preload both hand the renderer a download, and the CLI writes the file
 * where the technician said. A pack is a few MB; the WebSocket's 48 MB message bound caps it in the UI.
 */
export function evidenceHandlers(evidence: EvidenceService): Pick<RequestHandlers, 'rollouts.evidence'> {
  return {
    'rollouts.evidence': async ({ id }) => {
      const pack = await evidence.build(id);
      return {
        fileName: pack.fileName,
        size: pack.bytes.length,
        sha256: pack.sha256,
        base64: pack.bytes.toString('base64'),
      };
    },
  };
}
