/**
 * The sciwand chat panel: follows the active notebook, and puts together
 * the chat model, the connection to the notebook's kernel and the views.
 */
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Panel } from '@lumino/widgets';

import { clearHistory, errorText, fetchConfig } from './api';
import { NotebookConnection } from './connection';
import { ChatHeader, ChatInput, StatusBar } from './controls';
import { wandIcon } from './icon';
import { insertStepBelow } from './insert';
import { MessageList } from './message-list';
import { ChatModel, IStepResult } from './model';
import { Preferences } from './preferences';
import { IConfig } from './protocol';

export namespace ChatPanel {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    /** The plugin's settings (`approval`, `autoInsert`), if the registry has them. */
    settings?: ISettingRegistry.ISettings | null;
    serverSettings?: ServerConnection.ISettings;
  }
}

export class ChatPanel extends Panel {
  constructor(options: ChatPanel.IOptions) {
    super();
    this.id = 'sciwand-chat';
    this.title.icon = wandIcon;
    this.title.caption = 'sciwand';
    this.title.label = '';
    this.addClass('sciwand-panel');
    this.preferences = new Preferences(options.settings ?? null);
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();

    const model = this.model;
    this.header = new ChatHeader({
      model,
      preferences: this.preferences,
      onNewChat: () => void this.newChat()
    });
    this.statusBar = new StatusBar(model);
    this.input = new ChatInput({
      model,
      onSend: question =>
        model.ask(question, this.header.chosenModel, this.header.approval)
    });
    this.addWidget(this.header);
    this.addWidget(this.statusBar);
    this.addWidget(
      new MessageList({
        model,
        rendermime: options.rendermime,
        onInsert: result => this.insertStep(result)
      })
    );
    this.addWidget(this.input);

    model.stateChanged.connect(this.onStateChanged, this);
    model.stepSucceeded.connect(this.onStepSucceeded, this);
    void this.loadConfig();
  }

  /** The chat's state: what the views show. */
  readonly model = new ChatModel();

  /** Follow another notebook (or none): reconnect and load its history. */
  setNotebook(notebook: NotebookPanel | null): void {
    if (notebook === this.notebook) {
      return;
    }
    const old = this.notebook;
    if (old) {
      old.sessionContext.kernelChanged.disconnect(this.reconnect, this);
      old.context.pathChanged.disconnect(this.reconnect, this);
      old.disposed.disconnect(this.onNotebookDisposed, this);
    }
    this.notebook = notebook;
    if (notebook) {
      notebook.sessionContext.kernelChanged.connect(this.reconnect, this);
      notebook.context.pathChanged.connect(this.reconnect, this);
      notebook.disposed.connect(this.onNotebookDisposed, this);
    }
    this.reconnect();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.setNotebook(null);
    this.model.stateChanged.disconnect(this.onStateChanged, this);
    this.model.stepSucceeded.disconnect(this.onStepSucceeded, this);
    super.dispose();
  }

  /** A new connection for the current notebook's kernel, after a fresh start. */
  private reconnect(): void {
    this.connection?.dispose();
    this.connection = null;
    const notebook = this.notebook;
    this.model.reset(notebook ? 'waiting-for-kernel' : 'no-notebook');
    if (notebook) {
      this.connection = new NotebookConnection({
        notebook,
        model: this.model,
        serverSettings: this.serverSettings
      });
    }
  }

  private onNotebookDisposed(): void {
    this.setNotebook(null);
  }

  private onStateChanged(): void {
    this.toggleClass('sciwand-mod-running', this.model.isRunning);
  }

  private onStepSucceeded(_: ChatModel, result: IStepResult): void {
    if (this.preferences.autoInsert(this.config?.auto_insert ?? false)) {
      this.insertStep(result);
    }
  }

  private async loadConfig(): Promise<void> {
    try {
      this.config = await fetchConfig(this.serverSettings);
    } catch (error) {
      this.statusBar.showConfigError(
        `Could not reach the sciwand server: ${errorText(error)}`
      );
      return;
    }
    this.header.setConfig(this.config);
  }

  /** Forget the notebook's conversation, on the server and in the panel. */
  private async newChat(): Promise<void> {
    const connection = this.connection;
    const path = connection?.path;
    if (!path || this.model.isRunning) {
      return;
    }
    try {
      await clearHistory(this.serverSettings, path);
    } catch (error) {
      this.model.error(
        `Could not clear the conversation: ${errorText(error)}`
      );
      return;
    }
    if (this.connection === connection) {
      this.model.clear();
      this.input.focus();
    }
  }

  /** Insert a step as a code cell below the notebook's active cell. */
  private insertStep(result: IStepResult): void {
    const panel = this.notebook;
    if (!panel || panel.isDisposed || !panel.content.model) {
      this.model.error('There is no notebook to insert into.');
      return;
    }
    try {
      insertStepBelow(panel.content, result);
    } catch (error) {
      this.model.error(`Could not insert the step: ${errorText(error)}`);
    }
  }

  private readonly preferences: Preferences;
  private readonly serverSettings: ServerConnection.ISettings;
  private readonly header: ChatHeader;
  private readonly statusBar: StatusBar;
  private readonly input: ChatInput;
  private notebook: NotebookPanel | null = null;
  private connection: NotebookConnection | null = null;
  private config: IConfig | null = null;
}
