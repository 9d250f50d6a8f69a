/** Reading a text file the user picked or dropped: size-limited, with a readable error. */
import { useCallback, useState } from 'react';

import { LIMITS } from '../../../shared/validation';

const MB = 1024 * 1024;

/** Reads a file as text (up to the import limit) and hands it to `onText`; `fileError` says what went wrong. */
export function useTextFile(onText: (text: string, fileName: string) => void) {
  const [fileError, setFileError] = useState<string | null>(null);
  const readFile = useCallback(
    async (file: File | undefined) => {
      if (!file) return;
      if (file.size > LIMITS.importText) {
        setFileError(
          `${file.name} is ${(file.size / MB).toFixed(1)} MB; Patchbay reads files up to ${LIMITS.importText / MB} MB.`,
        );
        return;
      }
      setFileError(null);
      try {
        onText(await file.text(), file.name);
      } catch {
        setFileError(`Could not read ${file.name}. Check that it is a text file you can open.`);
      }
    },
    [onText],
  );
  return { fileError, readFile };
}
