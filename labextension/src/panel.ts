/**
 * The sciwand chat panel: follows the active notebook, talks to the server
 * over one WebSocket per notebook kernel, and renders the conversation.
 */
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Panel, Widget } from '@lumino/widgets';

import {
  clearHistory,
  fetchConfig,
  fetchHistory,
  IConfig,
  SciwandEvent,
  SciwandSocket,
  socketUrl,
  SocketStatus
} from './api';
import { wandIcon } from './icon';
import { insertStepBelow } from './insert';
import {
  AnswerMessage,
  IStepResult,
  MessageWidget,
  NoticeMessage,
  QuestionMessage,
  StepMessage,
  textWidget,
  ThinkingMessage
} from './messages';
import { Preferences } from './preferences';

const NO_NOTEBOOK = 'Open a notebook to ask sciwand about it.';

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
    this.rendermime = options.rendermime;
    this.preferences = new Preferences(options.settings ?? null);
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();

    // Header: title, model selector, approval toggle, new chat.
    const header = new Widget();
    header.addClass('sciwand-header');
    const title = document.createElement('span');
    title.className = 'sciwand-title';
    title.textContent = 'sciwand';
    this.modelSelect = document.createElement('select');
    this.modelSelect.className = 'sciwand-model jp-mod-styled';
    this.modelSelect.title = 'The model that answers';
    this.modelSelect.appendChild(new Option('default model', ''));
    const approvalLabel = document.createElement('label');
    approvalLabel.className = 'sciwand-approval-label';
    approvalLabel.title = 'Show each step’s code and wait for Run / Edit / Skip';
    this.approvalBox = document.createElement('input');
    this.approvalBox.type = 'checkbox';
    this.approvalBox.className = 'sciwand-approval';
    this.approvalBox.checked = true;
    this.approvalBox.addEventListener('change', () =>
      this.preferences.saveApproval(this.approvalBox.checked)
    );
    approvalLabel.append(this.approvalBox, ' Approve each step');
    this.newChatButton = document.createElement('button');
    this.newChatButton.type = 'button';
    this.newChatButton.className = 'jp-mod-styled sciwand-button sciwand-new-chat';
    this.newChatButton.textContent = 'New chat';
    this.newChatButton.title = 'Forget this notebook’s conversation';
    this.newChatButton.addEventListener('click', () => void this.newChat());
    header.node.append(
      title,
      this.modelSelect,
      approvalLabel,
      this.newChatButton
    );

    // Connection status and the running indicator.
    this.statusBar = new Widget();
    this.statusBar.addClass('sciwand-statusbar');
    this.statusText = document.createElement('span');
    this.statusText.className = 'sciwand-connection';
    this.runningNode = document.createElement('span');
    this.runningNode.className = 'sciwand-running';
    this.runningNode.innerHTML =
      '<span class="sciwand-spinner"></span> Running…';
    this.statusBar.node.append(this.statusText);

    this.messages = new Panel();
    this.messages.addClass('sciwand-messages');

    // Input: textarea, Send, Stop.
    const footer = new Widget();
    footer.addClass('sciwand-footer');
    this.input = document.createElement('textarea');
    this.input.className = 'sciwand-input';
    this.input.rows = 3;
    this.input.placeholder = 'Ask a question (Enter to send, Shift+Enter for a new line)';
    this.input.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener('input', () => this.updateControls());
    this.sendButton = document.createElement('button');
    this.sendButton.type = 'button';
    this.sendButton.className = 'jp-mod-styled jp-mod-accept sciwand-button sciwand-send';
    this.sendButton.textContent = 'Send';
    this.sendButton.addEventListener('click', () => this.send());
    this.stopButton = document.createElement('button');
    this.stopButton.type = 'button';
    this.stopButton.className = 'jp-mod-styled jp-mod-warn sciwand-button sciwand-stop';
    this.stopButton.textContent = 'Stop';
    this.stopButton.title = 'Stop the running question';
    this.stopButton.addEventListener('click', () => this.stop());
    const buttons = document.createElement('div');
    buttons.className = 'sciwand-footer-buttons';
    buttons.append(this.stopButton, this.sendButton);
    footer.node.append(this.input, buttons);

    this.addWidget(header);
    this.addWidget(this.statusBar);
    this.addWidget(this.messages);
    this.addWidget(footer);

    this.preferences.settings?.changed.connect(this.onSettingsChanged, this);
    this.approvalBox.checked = this.preferences.approval ?? true;
    this.setPlaceholder(NO_NOTEBOOK);
    this.updateControls();
    void this.loadConfig();
  }

  /** The notebook the panel talks about. */
  get notebook(): NotebookPanel | null {
    return this._notebook;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Follow another notebook (or none): reconnect and load its history. */
  setNotebook(notebook: NotebookPanel | null): void {
    if (notebook === this._notebook) {
      return;
    }
    const old = this._notebook;
    if (old) {
      old.sessionContext.kernelChanged.disconnect(this.onKernelChanged, this);
      old.context.pathChanged.disconnect(this.onKernelChanged, this);
      old.disposed.disconnect(this.onNotebookDisposed, this);
    }
    this._notebook = notebook;
    if (notebook) {
      notebook.sessionContext.kernelChanged.connect(this.onKernelChanged, this);
      notebook.context.pathChanged.connect(this.onKernelChanged, this);
      notebook.disposed.connect(this.onNotebookDisposed, this);
    }
    void this.connect();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.socket?.dispose();
    this.socket = null;
    this.setNotebook(null);
    this.preferences.settings?.changed.disconnect(this.onSettingsChanged, this);
    super.dispose();
  }

  // ---- connection -------------------------------------------------------

  private onKernelChanged(): void {
    void this.connect();
  }

  private onNotebookDisposed(): void {
    this.setNotebook(null);
  }

  /** (Re)connect to the current notebook's kernel and replay its history. */
  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.socket?.dispose();
    this.socket = null;
    this.target = null;
    this.clearMessages();
    this.running = false;
    this.pending = false;
    const notebook = this._notebook;
    if (!notebook) {
      this.setStatus('');
      this.setPlaceholder(NO_NOTEBOOK);
      this.updateControls();
      return;
    }
    this.setPlaceholder('Waiting for the notebook’s kernel…');
    this.updateControls();
    try {
      await notebook.sessionContext.ready;
    } catch (error) {
      console.warn('sciwand: session failed to start', error);
    }
    if (generation !== this.generation) {
      return;
    }
    const kernelId = notebook.sessionContext.session?.kernel?.id;
    const path = notebook.context.localPath;
    if (!kernelId) {
      this.setStatus('');
      this.setPlaceholder(
        'This notebook has no kernel: start one to ask sciwand about it.'
      );
      this.updateControls();
      return;
    }
    this.target = { kernelId, path };
    this.setPlaceholder(`Ask a question about ${path}.`);
    this.replaying = true;
    this.buffer = [];
    const url = socketUrl(this.serverSettings, kernelId, path);
    this.socket = new SciwandSocket(url, {
      onEvent: event => {
        if (generation !== this.generation) {
          return;
        }
        if (this.replaying) {
          this.buffer.push(event);
        } else {
          this.handle(event, true);
        }
      },
      onStatus: (status, detail) => {
        if (generation === this.generation) {
          this.onSocketStatus(status, detail);
        }
      }
    });
    await this.loadHistory(generation);
  }

  private onSocketStatus(status: SocketStatus, detail?: string): void {
    const path = this.target?.path ?? '';
    switch (status) {
      case 'connecting':
        this.setStatus(`Connecting to ${path}…`);
        break;
      case 'open':
        this.setStatus(`Connected: ${path}`);
        if (this.wasDropped) {
          // Events may have been missed while disconnected.
          this.wasDropped = false;
          void this.loadHistory(this.generation);
        }
        break;
      case 'closed':
        this.wasDropped = true;
        this.running = false;
        this.pending = false;
        this.setStatus(
          `Disconnected from the sciwand server${detail ? ` (${detail})` : ''}.`,
          true
        );
        break;
    }
    this.updateControls();
  }

  /** Render the notebook's past events, then whatever arrived meanwhile. */
  private async loadHistory(generation: number): Promise<void> {
    const target = this.target;
    if (!target) {
      return;
    }
    this.replaying = true;
    let events: SciwandEvent[] = [];
    let failure: string | null = null;
    try {
      events = (await fetchHistory(this.serverSettings, target.path)).events;
    } catch (error) {
      failure = `Could not load the conversation: ${errorText(error)}`;
    }
    if (generation !== this.generation) {
      return;
    }
    this.clearMessages();
    if (!events.length) {
      this.setPlaceholder(`Ask a question about ${target.path}.`);
    }
    for (const event of events) {
      this.handle(event, false);
    }
    if (failure) {
      this.addMessage(new NoticeMessage('error', failure));
    }
    this.replaying = false;
    const buffered = this.buffer;
    this.buffer = [];
    for (const event of buffered) {
      this.handle(event, true);
    }
    if (!this.running) {
      this.expireProposals();
    }
    this.scrollToBottom(true);
    this.updateControls();
  }

  private async loadConfig(): Promise<void> {
    try {
      this.config = await fetchConfig(this.serverSettings);
    } catch (error) {
      const problem = document.createElement('div');
      problem.className = 'sciwand-config-error';
      problem.textContent = `Could not reach the sciwand server: ${errorText(error)}`;
      this.statusBar.node.appendChild(problem);
      return;
    }
    const select = this.modelSelect;
    const previous = select.value;
    select.replaceChildren();
    for (const model of this.config.models) {
      select.appendChild(new Option(model, model));
    }
    if (!this.config.models.length) {
      select.appendChild(new Option('default model', ''));
    }
    const chosen = [previous, this.config.default_model ?? ''].find(
      model => model && this.config!.models.includes(model)
    );
    if (chosen) {
      select.value = chosen;
    }
    if (this.preferences.approval === null) {
      this.approvalBox.checked = this.config.approval;
    }
  }

  // ---- events -----------------------------------------------------------

  private handle(event: SciwandEvent, live: boolean): void {
    switch (event.type) {
      case 'state':
        if (live) {
          this.running = event.running;
          this.pending = false;
          if (!event.running) {
            this.expireProposals();
          }
        }
        break;
      case 'question':
        this.pending = false;
        this.steps.clear();
        this.dropThinking();
        this.addMessage(new QuestionMessage(event.text));
        break;
      case 'token':
        if (!this.thinking) {
          this.thinking = new ThinkingMessage();
          this.addMessage(this.thinking);
        }
        this.thinking.append(event.text);
        this.scrollToBottom();
        break;
      case 'proposed':
        this.dropThinking();
        this.stepWidget(event.step).propose(event.code, event.needs_approval);
        break;
      case 'running':
        this.dropThinking();
        this.stepWidget(event.step).setRunning(event.code);
        break;
      case 'step': {
        this.dropThinking();
        const result: IStepResult = {
          code: event.code,
          status: event.status,
          outputs: event.outputs ?? [],
          executionCount: event.execution_count ?? null
        };
        this.stepWidget(event.step).setResult(result, live);
        if (
          live &&
          event.status === 'ok' &&
          this.preferences.autoInsert(this.config?.auto_insert ?? false)
        ) {
          this.insertStep(result);
        }
        break;
      }
      case 'notice':
        this.addMessage(new NoticeMessage('notice', event.text));
        break;
      case 'answer':
        this.dropThinking();
        this.addMessage(new AnswerMessage(this.rendermime, event.text));
        break;
      case 'error':
        this.pending = false;
        this.dropThinking();
        this.addMessage(new NoticeMessage('error', event.message));
        break;
      case 'done':
        this.dropThinking();
        this.expireProposals();
        if (live) {
          this.running = false;
          this.pending = false;
        }
        break;
      default:
        console.warn('sciwand: unknown event', event);
    }
    if (live) {
      this.updateControls();
    }
  }

  private stepWidget(step: number): StepMessage {
    let widget = this.steps.get(step);
    if (!widget || widget.isDisposed) {
      widget = new StepMessage({
        rendermime: this.rendermime,
        step,
        onDecision: (n, action, code) => this.decide(n, action, code),
        onInsert: result => this.insertStep(result)
      });
      this.steps.set(step, widget);
      this.addMessage(widget);
    } else {
      this.scrollToBottom();
    }
    return widget;
  }

  private dropThinking(): void {
    this.thinking?.dispose();
    this.thinking = null;
  }

  private expireProposals(): void {
    for (const step of this.steps.values()) {
      step.expire();
    }
  }

  private addMessage(message: MessageWidget): void {
    this.placeholder?.dispose();
    this.placeholder = null;
    this.messages.addWidget(message);
    this.scrollToBottom();
  }

  private clearMessages(): void {
    this.steps.clear();
    this.thinking = null;
    this.placeholder = null;
    for (const widget of [...this.messages.widgets]) {
      widget.dispose();
    }
  }

  private setPlaceholder(text: string): void {
    if (this.messages.widgets.some(w => w !== this.placeholder)) {
      return;
    }
    this.placeholder?.dispose();
    this.placeholder = textWidget(text, 'sciwand-placeholder');
    this.messages.addWidget(this.placeholder);
  }

  /** Keep the newest message in view, unless the user scrolled up. */
  private scrollToBottom(force = false): void {
    const node = this.messages.node;
    const nearBottom =
      node.scrollHeight - node.scrollTop - node.clientHeight < 120;
    if (force || nearBottom) {
      const scroll = () => {
        node.scrollTop = node.scrollHeight;
      };
      requestAnimationFrame(scroll);
      if (force) {
        // Markdown and images render asynchronously: scroll again once they have.
        window.setTimeout(scroll, 500);
      }
    }
  }

  // ---- user actions -----------------------------------------------------

  private send(): void {
    const question = this.input.value.trim();
    if (!question || this.running || this.pending || !this.socket) {
      return;
    }
    const sent = this.socket.send({
      type: 'ask',
      question,
      model: this.modelSelect.value || null,
      approval: this.approvalBox.checked
    });
    if (!sent) {
      this.addMessage(
        new NoticeMessage('error', 'Not connected to the sciwand server.')
      );
      return;
    }
    this.input.value = '';
    this.pending = true;
    this.updateControls();
  }

  private stop(): void {
    this.socket?.send({ type: 'stop' });
  }

  private decide(step: number, action: 'run' | 'skip', code: string): void {
    const sent = this.socket?.send({ type: 'decision', step, action, code });
    if (!sent) {
      this.addMessage(
        new NoticeMessage('error', 'Not connected to the sciwand server.')
      );
    }
  }

  private async newChat(): Promise<void> {
    const target = this.target;
    if (!target || this.running) {
      return;
    }
    try {
      await clearHistory(this.serverSettings, target.path);
    } catch (error) {
      this.addMessage(
        new NoticeMessage(
          'error',
          `Could not clear the conversation: ${errorText(error)}`
        )
      );
      return;
    }
    if (this.target === target) {
      this.clearMessages();
      this.setPlaceholder(`Ask a question about ${target.path}.`);
      this.input.focus();
    }
  }

  /** Insert a step as a code cell below the notebook's active cell. */
  private insertStep(result: IStepResult): void {
    const panel = this._notebook;
    if (!panel || panel.isDisposed || !panel.content.model) {
      this.addMessage(
        new NoticeMessage('error', 'There is no notebook to insert into.')
      );
      return;
    }
    try {
      insertStepBelow(panel.content, result);
    } catch (error) {
      this.addMessage(
        new NoticeMessage(
          'error',
          `Could not insert the step: ${errorText(error)}`
        )
      );
    }
  }

  // ---- settings ---------------------------------------------------------

  private onSettingsChanged(): void {
    const approval = this.preferences.approval;
    this.approvalBox.checked = approval ?? this.config?.approval ?? true;
  }

  // ---- controls ---------------------------------------------------------

  private setStatus(text: string, isError = false): void {
    this.statusText.textContent = text;
    this.statusText.classList.toggle('sciwand-connection-error', isError);
  }

  private updateControls(): void {
    const connected = !!this.socket && !this.socket.isClosed;
    const hasKernel = this.target !== null;
    this.input.disabled = !hasKernel;
    this.input.placeholder = hasKernel
      ? 'Ask a question (Enter to send, Shift+Enter for a new line)'
      : NO_NOTEBOOK;
    this.sendButton.disabled =
      !connected || this.running || this.pending || !this.input.value.trim();
    this.stopButton.hidden = !this.running;
    this.stopButton.disabled = !connected;
    this.newChatButton.disabled = !hasKernel || this.running;
    if (this.running && !this.runningNode.isConnected) {
      this.statusBar.node.appendChild(this.runningNode);
    } else if (!this.running) {
      this.runningNode.remove();
    }
    this.toggleClass('sciwand-mod-running', this.running);
  }

  private readonly rendermime: IRenderMimeRegistry;
  private readonly preferences: Preferences;
  private readonly serverSettings: ServerConnection.ISettings;
  private readonly modelSelect: HTMLSelectElement;
  private readonly approvalBox: HTMLInputElement;
  private readonly newChatButton: HTMLButtonElement;
  private readonly statusBar: Widget;
  private readonly statusText: HTMLSpanElement;
  private readonly runningNode: HTMLSpanElement;
  private readonly messages: Panel;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private _notebook: NotebookPanel | null = null;
  private config: IConfig | null = null;
  private socket: SciwandSocket | null = null;
  private target: { kernelId: string; path: string } | null = null;
  private generation = 0;
  private running = false;
  /** A question was sent and the server has not answered it yet. */
  private pending = false;
  private replaying = false;
  private wasDropped = false;
  private buffer: SciwandEvent[] = [];
  private steps = new Map<number, StepMessage>();
  private thinking: ThinkingMessage | null = null;
  private placeholder: Widget | null = null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
