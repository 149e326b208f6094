/**
 * The sciwand chat panel: follows the active notebook, and puts together
 * the chat model, the connection to the notebook's kernel and the views.
 */
import { Extension } from '@codemirror/state';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Panel } from '@lumino/widgets';

import { clearHistory, errorText, fetchConfig, fetchVariables } from './api';
import { NotebookConnection } from './connection';
import { ChatHeader, ChatInput, StatusBar } from './controls';
import { wandIcon } from './icon';
import { contextOfCell, notebookCode } from './cells';
import { confirmReplace } from './diff';
import { cellSource, insertStepBelow, replaceCell } from './insert';
import { MessageList } from './message-list';
import { ChatModel, IStepMessage } from './model';
import { Preferences } from './preferences';
import { ICellContext, IConfig, IVariables } from './protocol';

const FIX_QUESTION = 'Fix the error in this cell: run the corrected code.';
const EXPLAIN_QUESTION = 'Explain what this cell does and what its outputs show.';

export namespace ChatPanel {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    /** The plugin's settings (`approval`, `autoInsert`), if the registry has them. */
    settings?: ISettingRegistry.ISettings | null;
    /** JupyterLab's editor languages: Python's highlighting in a cell's diff. */
    languages?: IEditorLanguageRegistry | null;
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
    this.languages = options.languages ?? null;

    const model = this.model;
    this.header = new ChatHeader({
      model,
      preferences: this.preferences,
      onNewChat: () => void this.newChat()
    });
    this.statusBar = new StatusBar(model);
    this.input = new ChatInput({
      model,
      onSend: (question, withSelectedCells) =>
        model.ask(
          question,
          this.header.chosenModel,
          this.header.approval,
          withSelectedCells ? this.selectedCells() : [],
          null,
          this.notebookCode()
        ),
      fetchVariables: () => this.variables()
    });
    this.addWidget(this.header);
    this.addWidget(this.statusBar);
    this.addWidget(
      new MessageList({
        model,
        rendermime: options.rendermime,
        onInsert: step => this.insertStep(step),
        onReplace: step => void this.replaceStep(step)
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

  /**
   * Ask about one cell of the followed notebook: fix its error (the run's
   * steps may then replace it) or explain it. False if the chat cannot ask now.
   */
  askAboutCell(action: 'fix' | 'explain', cell: Cell): boolean {
    const question = action === 'fix' ? FIX_QUESTION : EXPLAIN_QUESTION;
    const target = action === 'fix' ? cell.model.id : null;
    const context = [contextOfCell(cell.model)];
    const { chosenModel, approval } = this.header;
    if (!this.model.canAsk) {
      this.model.error('A question is running: wait for it, or Stop it, then ask again.');
      return false;
    }
    return this.model.ask(
      question,
      chosenModel,
      approval,
      context,
      target,
      this.notebookCode()
    );
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

  private onStepSucceeded(_: ChatModel, step: IStepMessage): void {
    if (this.preferences.autoInsert(this.config?.auto_insert ?? false)) {
      this.insertStep(step);
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
    const answer = await showDialog({
      title: 'Start a new chat?',
      body: `This deletes the conversation about ${path}: its messages, and what the model remembers of it.`,
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Delete and start over' })
      ]
    });
    if (!answer.button.accept || this.connection !== connection) {
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

  /** The followed notebook's selected cells (the active one if none is), as a question's context. */
  private selectedCells(): ICellContext[] {
    const notebook = this.notebook?.content;
    if (!notebook) {
      return [];
    }
    return notebook.widgets
      .filter(cell => notebook.isSelectedOrActive(cell))
      .map(cell => contextOfCell(cell.model));
  }

  /** The variables of the followed notebook's kernel, for the question's `@` list. */
  private async variables(): Promise<IVariables> {
    const kernelId = this.notebook?.sessionContext.session?.kernel?.id;
    return kernelId
      ? fetchVariables(this.serverSettings, kernelId)
      : { variables: [], known: false };
  }

  /** The code of the followed notebook's code cells: the data the user gave, for the server to tell from made-up data. */
  private notebookCode(): string[] {
    const notebook = this.notebook?.content;
    return notebook ? notebookCode(notebook.widgets.map(cell => cell.model)) : [];
  }

  /** Insert a step as a code cell below the notebook's active cell. */
  private insertStep(step: IStepMessage): void {
    const result = step.result;
    if (
      result &&
      this.withNotebook('insert the step', notebook => insertStepBelow(notebook, result))
    ) {
      this.model.markPlaced(step, 'inserted');
    }
  }

  /**
   * Offer a step in place of the cell it fixes: the change as a diff, and the
   * cell changes only on Accept (Reject leaves it as it is).
   */
  private async replaceStep(step: IStepMessage): Promise<void> {
    const { result, target } = step;
    if (!result || target === null || step.invented.length || this.reviewing.has(step)) {
      return;
    }
    let original = '';
    if (!this.withNotebook('replace the cell', notebook => (original = cellSource(notebook, target)))) {
      return;
    }
    this.reviewing.add(step); // one diff per step at a time, however often Replace is clicked
    let accepted = false;
    try {
      accepted = await confirmReplace({
        original,
        changed: result.code,
        language: await this.python()
      });
    } finally {
      this.reviewing.delete(step);
    }
    if (
      accepted &&
      this.withNotebook('replace the cell', notebook =>
        replaceCell(notebook, target, result, original)
      )
    ) {
      this.model.markPlaced(step, 'replaced');
    }
  }

  /** Python's highlighting from JupyterLab's editor languages (none if it cannot be had). */
  private async python(): Promise<Extension | null> {
    try {
      const language = await this.languages?.getLanguage('python');
      return language?.support ?? null;
    } catch (error) {
      console.warn('sciwand: no Python highlighting for the diff', error);
      return null;
    }
  }

  /** Do `action` on the followed notebook; false (and the error shown) if it cannot be done. */
  private withNotebook(what: string, action: (notebook: Notebook) => void): boolean {
    const panel = this.notebook;
    if (!panel || panel.isDisposed || !panel.content.model) {
      this.model.error(`There is no notebook to ${what} in.`);
      return false;
    }
    try {
      action(panel.content);
      return true;
    } catch (error) {
      this.model.error(`Could not ${what}: ${errorText(error)}`);
      return false;
    }
  }

  private readonly preferences: Preferences;
  private readonly serverSettings: ServerConnection.ISettings;
  private readonly languages: IEditorLanguageRegistry | null;
  /** The steps whose change is shown now, waiting for Accept or Reject. */
  private readonly reviewing = new Set<IStepMessage>();
  private readonly header: ChatHeader;
  private readonly statusBar: StatusBar;
  private readonly input: ChatInput;
  private notebook: NotebookPanel | null = null;
  private connection: NotebookConnection | null = null;
  private config: IConfig | null = null;
}
