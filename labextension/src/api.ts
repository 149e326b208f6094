/**
 * The sciwand server's REST calls, and where its chat socket is.
 *
 * Everything lives under the Jupyter server's base URL:
 * `sciwand/config`, `sciwand/history` and the `sciwand/ws` socket. The
 * messages' types are generated from the server's (`protocol.ts`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IConfig, IHistory } from './protocol';

async function request(
  settings: ServerConnection.ISettings,
  endpoint: string,
  query: Record<string, string>,
  init: RequestInit = {}
): Promise<Response> {
  const search = URLExt.objectToQueryString(query);
  const url = URLExt.join(settings.baseUrl, 'sciwand', endpoint) + search;
  const response = await ServerConnection.makeRequest(url, init, settings);
  if (!response.ok) {
    let detail = '';
    try {
      const body = await response.json();
      detail = body.message || body.reason || '';
    } catch {
      // not JSON: the status line says enough
    }
    throw new Error(
      `sciwand/${endpoint}: ${response.status} ${response.statusText}` +
        (detail ? ` (${detail})` : '')
    );
  }
  return response;
}

export async function fetchConfig(
  settings: ServerConnection.ISettings
): Promise<IConfig> {
  const response = await request(settings, 'config', {});
  return (await response.json()) as IConfig;
}

export async function fetchHistory(
  settings: ServerConnection.ISettings,
  path: string
): Promise<IHistory> {
  const response = await request(settings, 'history', { path });
  return (await response.json()) as IHistory;
}

export async function clearHistory(
  settings: ServerConnection.ISettings,
  path: string
): Promise<void> {
  await request(settings, 'history', { path }, { method: 'DELETE' });
}

/** The socket URL for one notebook: its kernel id and path. */
export function socketUrl(
  settings: ServerConnection.ISettings,
  kernelId: string,
  path: string
): string {
  const query: Record<string, string> = { kernel_id: kernelId, path };
  if (settings.token) {
    query.token = settings.token;
  }
  return (
    URLExt.join(settings.wsUrl, 'sciwand', 'ws') +
    URLExt.objectToQueryString(query)
  );
}

/** What a failed call says, for the panel. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
