import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { Core } from '../core/create-core';

/**
 * Sends one request through the core's dispatcher, as the UI does: the CLI never reaches past the API
 * into services or repositories, so both see the same validation and the same answers.
 */
export async function call<C extends RequestChannel>(
  core: Core,
  channel: C,
  req: RequestOf<C>,
): Promise<ResponseMap[C]> {
  const result = await core.dispatch(channel, req);
  if (!result.ok) throw new ApiError(result.error);
  return result.res as ResponseMap[C];
}

/** Thrown for wrong usage: printed with exit code 2. */
export class UsageError extends Error {}
