/**
 * The link between the chat model and one notebook's chat on the server:
 * wait for the notebook's kernel, open its socket, replay the history, and
 * replay it again after a drop (events may have been missed meanwhile).
 *
 * One connection serves one notebook kernel; following another notebook or
 * kernel means disposing it and making a new one. A disposed connection
 * touches the model no more, whatever its pending requests bring back.
 */
import { IDisposable } from '@lumino/disposable';
import { ServerConnection } from '@jupyterlab/services';

import { errorText, fetchHistory, socketUrl } from './api';
import { ChatModel, ITransport } from './model';
import { ClientRequest, ServerEvent } from './protocol';
import { SciwandSocket, SocketStatus } from './socket';

/** What the connection reads of a notebook panel. */
export interface INotebookSession {
  readonly sessionContext: {
    readonly ready: Promise<void>;
    readonly session: { readonly kernel: { readonly id: string } | null } | null;
  };
  readonly context: { readonly localPath: string };
}

export namespace NotebookConnection {
  export interface IOptions {
    notebook: INotebookSession;
    model: ChatModel;
    serverSettings: ServerConnection.ISettings;
  }
}

export class NotebookConnection implements IDisposable, ITransport {
  constructor(options: NotebookConnection.IOptions) {
    this.model = options.model;
    this.serverSettings = options.serverSettings;
    void this.start(options.notebook);
  }

  /** The notebook's path, once its kernel is known. */
  get path(): string | null {
    return this._path;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  send(request: ClientRequest): boolean {
    return this.socket?.send(request) ?? false;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.socket?.dispose();
    this.socket = null;
    if (this.model.transport === this) {
      this.model.transport = null;
    }
  }

  private async start(notebook: INotebookSession): Promise<void> {
    try {
      await notebook.sessionContext.ready;
    } catch (error) {
      console.warn('sciwand: session failed to start', error);
    }
    if (this._isDisposed) {
      return;
    }
    const kernelId = notebook.sessionContext.session?.kernel?.id;
    if (!kernelId) {
      this.model.setConnection('no-kernel');
      return;
    }
    const path = notebook.context.localPath;
    this._path = path;
    this.model.transport = this;
    this.model.setConnection('connecting', '', path);
    this.socket = new SciwandSocket(
      socketUrl(this.serverSettings, kernelId, path),
      {
        onEvent: event => this.onEvent(event),
        onStatus: (status, detail) => this.onStatus(status, detail)
      }
    );
    await this.replayHistory();
  }

  private onEvent(event: ServerEvent): void {
    if (this.replaying) {
      this.buffer.push(event); // shown after the history, in the order sent
    } else {
      this.model.apply(event, true);
    }
  }

  private onStatus(status: SocketStatus, detail?: string): void {
    switch (status) {
      case 'connecting':
        this.model.setConnection('connecting');
        break;
      case 'open':
        this.model.setConnection('connected');
        if (this.dropped) {
          this.dropped = false;
          void this.replayHistory();
        }
        break;
      case 'closed':
        this.dropped = true;
        this.model.setConnection('disconnected', detail ?? '');
        break;
    }
  }

  /** Show the notebook's past events, then whatever arrived meanwhile. */
  private async replayHistory(): Promise<void> {
    const path = this._path!;
    this.replaying = true;
    let events: ServerEvent[] = [];
    let failure: string | null = null;
    try {
      events = (await fetchHistory(this.serverSettings, path)).events;
    } catch (error) {
      failure = `Could not load the conversation: ${errorText(error)}`;
    }
    if (this._isDisposed) {
      return;
    }
    this.model.replay(events, failure);
    this.replaying = false;
    for (const event of this.buffer.splice(0)) {
      this.model.apply(event, true);
    }
  }

  private readonly model: ChatModel;
  private readonly serverSettings: ServerConnection.ISettings;
  private socket: SciwandSocket | null = null;
  private _path: string | null = null;
  private _isDisposed = false;
  private replaying = false;
  private dropped = false;
  private buffer: ServerEvent[] = [];
}
