/**
 * The sciwand server API: REST calls and the chat WebSocket.
 *
 * Everything lives under the Jupyter server's base URL:
 * `sciwand/config`, `sciwand/history` and the `sciwand/ws` socket.
 */
import { URLExt } from '@jupyterlab/coreutils';
import type * as nbformat from '@jupyterlab/nbformat';
import { ServerConnection } from '@jupyterlab/services';

/** `GET sciwand/config`. */
export interface IConfig {
  models: string[];
  default_model: string | null;
  approval: boolean;
  auto_insert: boolean;
}

/** Server → client events, streamed on the socket and replayed by the history. */
export type SciwandEvent =
  | { type: 'state'; running: boolean }
  | { type: 'question'; text: string }
  | { type: 'token'; text: string }
  | { type: 'proposed'; step: number; code: string; needs_approval: boolean }
  | { type: 'running'; step: number; code: string }
  | {
      type: 'step';
      step: number;
      code: string;
      status: 'ok' | 'error' | 'skipped';
      outputs: nbformat.IOutput[];
      execution_count: number | null;
    }
  | { type: 'notice'; text: string }
  | { type: 'answer'; text: string | null }
  | { type: 'error'; message: string }
  | {
      type: 'done';
      status: 'answered' | 'no_answer' | 'stopped' | 'failed';
    };

/** Client → server messages. */
export type ClientMessage =
  | { type: 'ask'; question: string; model: string | null; approval: boolean }
  | { type: 'decision'; step: number; action: 'run' | 'skip'; code: string }
  | { type: 'stop' };

/** `GET sciwand/history`. */
export interface IHistory {
  path: string;
  events: SciwandEvent[];
}

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

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface ISocketHandlers {
  onEvent(event: SciwandEvent): void;
  onStatus(status: SocketStatus, detail?: string): void;
}

/**
 * The chat socket of one notebook. It reconnects by itself after a drop
 * (a few times, with a growing delay) until disposed.
 */
export class SciwandSocket {
  constructor(
    private readonly url: string,
    private readonly handlers: ISocketHandlers
  ) {
    this.open();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Neither open nor connecting (a send would fail). */
  get isClosed(): boolean {
    const state = this.ws?.readyState;
    return state !== WebSocket.OPEN && state !== WebSocket.CONNECTING;
  }

  /**
   * Send a message; one sent while the socket is still connecting goes out
   * when it opens. False if the socket is closed.
   */
  send(message: ClientMessage): boolean {
    if (this.ws?.readyState === WebSocket.CONNECTING) {
      this.queue.push(message);
      return true;
    }
    if (!this.ws || !this.isOpen) {
      return false;
    }
    this.ws.send(JSON.stringify(message));
    return true;
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== undefined) {
      window.clearTimeout(this.retryTimer);
    }
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close();
    }
  }

  private open(): void {
    this.handlers.onStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      this.handlers.onStatus('closed', String(error));
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.handlers.onStatus('open');
      for (const message of this.queue.splice(0)) {
        ws.send(JSON.stringify(message));
      }
    };
    ws.onmessage = message => {
      let event: SciwandEvent;
      try {
        event = JSON.parse(String(message.data)) as SciwandEvent;
      } catch {
        console.warn('sciwand: a message that is not JSON', message.data);
        return;
      }
      try {
        this.handlers.onEvent(event);
      } catch (error) {
        console.error('sciwand: failed to show an event', event, error);
      }
    };
    ws.onclose = close => {
      this.ws = null;
      this.queue = []; // never sent: the panel learns of it from the closed status
      const reason = close.reason || `code ${close.code}`;
      this.handlers.onStatus('closed', reason);
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.disposed || this.attempts >= SciwandSocket.maxAttempts) {
      return;
    }
    this.attempts += 1;
    const delay = Math.min(1000 * 2 ** (this.attempts - 1), 15000);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.disposed) {
        this.open();
      }
    }, delay);
  }

  static maxAttempts = 6;
  private ws: WebSocket | null = null;
  private queue: ClientMessage[] = [];
  private disposed = false;
  private attempts = 0;
  private retryTimer: number | undefined;
}
