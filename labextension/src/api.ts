/**
 * The sciwand server's REST calls, and where its chat socket is.
 *
 * Everything lives under the Jupyter server's base URL:
 * `sciwand/config`, `sciwand/history`, `sciwand/variables`,
 * `sciwand/complete` and the `sciwand/ws` socket. The messages' types are
 * generated from the server's (`protocol.ts`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IConfig, IHistory, IVariables } from './protocol';

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

/** The variables of a notebook's kernel (name, type and size), for the question's `@` list. */
export async function fetchVariables(
  settings: ServerConnection.ISettings,
  kernelId: string
): Promise<IVariables> {
  const response = await request(settings, 'variables', { kernel_id: kernelId });
  return (await response.json()) as IVariables;
}

/** What `POST sciwand/complete` takes: the cell around the cursor, the code cells before it, the kernel. */
export interface ICompletionRequest {
  prefix: string;
  suffix: string;
  cells: string[];
  kernel_id: string;
  /** Only read the prompt, while the model is free (a notebook just opened): no suggestion. */
  prepare?: boolean;
}

/**
 * Its answer: `busy` while the model writes a chat reply, `off` when the
 * server's `inline_completion` setting is false, `unavailable` for a model
 * with no completion API; `text` is "" unless `ok`.
 */
export interface ICompletionReply {
  text: string;
  status: 'ok' | 'busy' | 'off' | 'unavailable';
}

/** One line of a streamed answer: the suggestion so far, then (`done`) the whole one with its status. */
export type ICompletionPart =
  | { text: string; done: false }
  | (ICompletionReply & { done: true });

/** The model's suggestion at the cursor; `signal` cancels the request. */
export async function fetchCompletion(
  settings: ServerConnection.ISettings,
  body: ICompletionRequest,
  signal?: AbortSignal
): Promise<ICompletionReply> {
  const init = { method: 'POST', body: JSON.stringify(body), signal };
  const response = await request(settings, 'complete', {}, init);
  return (await response.json()) as ICompletionReply;
}

/**
 * The suggestion as the model writes it: each longer one, then the whole
 * one (`done`). Aborting `signal` ends the stream, and the server stops the
 * model.
 */
export async function* streamCompletion(
  settings: ServerConnection.ISettings,
  body: ICompletionRequest,
  signal?: AbortSignal
): AsyncGenerator<ICompletionPart> {
  const init = { method: 'POST', body: JSON.stringify({ ...body, stream: true }), signal };
  const response = await request(settings, 'complete', {}, init);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += decoder.decode(value, { stream: !done });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim()) {
        yield JSON.parse(line) as ICompletionPart;
      }
    }
    if (done) {
      return;
    }
  }
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
