/**
 * The WebSocket under a notebook's chat: protocol messages as JSON both
 * ways, and reconnection after a drop.
 */
import { ClientRequest, ServerEvent } from './protocol';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface ISocketHandlers {
  onEvent(event: ServerEvent): void;
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

  /**
   * Send a message; one sent while the socket is still connecting goes out
   * when it opens. False if the socket is closed.
   */
  send(message: ClientRequest): boolean {
    if (this.ws?.readyState === WebSocket.CONNECTING) {
      this.queue.push(message);
      return true;
    }
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
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
      let event: ServerEvent;
      try {
        event = JSON.parse(String(message.data)) as ServerEvent;
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
  private queue: ClientRequest[] = [];
  private disposed = false;
  private attempts = 0;
  private retryTimer: number | undefined;
}
