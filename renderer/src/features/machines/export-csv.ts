/** Saves text as a file through a temporary Blob link (works in the browser host and in Electron). */

/** Starts a download of `text` (or bytes, e.g. a zip) named `fileName`. */
export function downloadText(
  fileName: string,
  text: string | Uint8Array<ArrayBuffer>,
  type = 'text/csv;charset=utf-8',
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: the download may still be reading the Blob when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `patchbay-machines-2025-01-31.csv` for today. */
export function exportFileName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `patchbay-machines-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
