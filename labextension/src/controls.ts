/**
 * The panel's controls, each a view of the chat model's state: the header
 * (model choice, approval, new chat), the status bar (connection, running
 * indicator) and the input (question, Send, Stop).
 */
import { Widget } from '@lumino/widgets';

import { button } from './dom';
import { ChatModel } from './model';
import { NO_NOTEBOOK } from './message-list';
import { Preferences } from './preferences';
import { IConfig } from './protocol';

/** A widget that renders the model's state whenever it changes. */
abstract class ModelView extends Widget {
  constructor(protected readonly model: ChatModel) {
    super();
    model.stateChanged.connect(this.render, this);
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.model.stateChanged.disconnect(this.render, this);
      super.dispose();
    }
  }

  abstract render(): void;
}

export namespace ChatHeader {
  export interface IOptions {
    model: ChatModel;
    preferences: Preferences;
    onNewChat(): void;
  }
}

/** Title, model selector, approval toggle, new chat. */
export class ChatHeader extends ModelView {
  constructor(options: ChatHeader.IOptions) {
    super(options.model);
    this.addClass('sciwand-header');
    this.preferences = options.preferences;
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
    this.approvalBox.addEventListener('change', () =>
      this.preferences.saveApproval(this.approvalBox.checked)
    );
    approvalLabel.append(this.approvalBox, ' Approve each step');
    this.newChatButton = button(
      'New chat',
      'sciwand-new-chat',
      'Forget this notebook’s conversation',
      options.onNewChat
    );
    this.node.append(title, this.modelSelect, approvalLabel, this.newChatButton);
    this.preferences.settings?.changed.connect(this.showApproval, this);
    this.showApproval();
    this.render();
  }

  /** The chosen model, or null for the server's default. */
  get chosenModel(): string | null {
    return this.modelSelect.value || null;
  }

  get approval(): boolean {
    return this.approvalBox.checked;
  }

  /** Offer the server's models; its defaults apply where the user chose nothing. */
  setConfig(config: IConfig): void {
    this.config = config;
    const select = this.modelSelect;
    const previous = select.value;
    select.replaceChildren();
    for (const model of config.models) {
      select.appendChild(new Option(model, model));
    }
    if (!config.models.length) {
      select.appendChild(new Option('default model', ''));
    }
    const chosen = [previous, config.default_model ?? ''].find(
      model => model && config.models.includes(model)
    );
    if (chosen) {
      select.value = chosen;
    }
    this.showApproval();
  }

  render(): void {
    this.newChatButton.disabled = !this.model.hasKernel || this.model.isRunning;
  }

  dispose(): void {
    this.preferences.settings?.changed.disconnect(this.showApproval, this);
    super.dispose();
  }

  private showApproval(): void {
    this.approvalBox.checked =
      this.preferences.approval ?? this.config?.approval ?? true;
  }

  private readonly preferences: Preferences;
  private readonly modelSelect: HTMLSelectElement;
  private readonly approvalBox: HTMLInputElement;
  private readonly newChatButton: HTMLButtonElement;
  private config: IConfig | null = null;
}

/** The connection's state, a running indicator, and a server that cannot be reached. */
export class StatusBar extends ModelView {
  constructor(model: ChatModel) {
    super(model);
    this.addClass('sciwand-statusbar');
    this.statusText = document.createElement('span');
    this.statusText.className = 'sciwand-connection';
    this.runningNode = document.createElement('span');
    this.runningNode.className = 'sciwand-running';
    this.runningNode.innerHTML =
      '<span class="sciwand-spinner"></span> Running…';
    this.node.append(this.statusText);
    this.render();
  }

  /** The server's configuration could not be loaded. */
  showConfigError(text: string): void {
    const problem = document.createElement('div');
    problem.className = 'sciwand-config-error';
    problem.textContent = text;
    this.node.appendChild(problem);
  }

  render(): void {
    const { connection, path, connectionDetail } = this.model;
    const texts: Partial<Record<typeof connection, string>> = {
      connecting: `Connecting to ${path}…`,
      connected: `Connected: ${path}`,
      disconnected: `Disconnected from the sciwand server${connectionDetail ? ` (${connectionDetail})` : ''}.`
    };
    this.statusText.textContent = texts[connection] ?? '';
    this.statusText.classList.toggle(
      'sciwand-connection-error',
      connection === 'disconnected'
    );
    if (this.model.isRunning && !this.runningNode.isConnected) {
      this.node.appendChild(this.runningNode);
    } else if (!this.model.isRunning) {
      this.runningNode.remove();
    }
  }

  private readonly statusText: HTMLSpanElement;
  private readonly runningNode: HTMLSpanElement;
}

export namespace ChatInput {
  export interface IOptions {
    model: ChatModel;
    /** Send the question; true if it went out (the input then empties). */
    onSend(question: string): boolean;
  }
}

/** The question's textarea (Enter sends, Shift+Enter breaks the line), Send and Stop. */
export class ChatInput extends ModelView {
  constructor(options: ChatInput.IOptions) {
    super(options.model);
    this.addClass('sciwand-footer');
    this.onSend = options.onSend;
    this.input = document.createElement('textarea');
    this.input.className = 'sciwand-input';
    this.input.rows = 3;
    this.input.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener('input', () => this.render());
    this.sendButton = button('Send', 'jp-mod-accept sciwand-send', '', () =>
      this.send()
    );
    this.stopButton = button(
      'Stop',
      'jp-mod-warn sciwand-stop',
      'Stop the running question',
      () => this.model.stop()
    );
    const buttons = document.createElement('div');
    buttons.className = 'sciwand-footer-buttons';
    buttons.append(this.stopButton, this.sendButton);
    this.node.append(this.input, buttons);
    this.render();
  }

  focus(): void {
    this.input.focus();
  }

  render(): void {
    const model = this.model;
    this.input.disabled = !model.hasKernel;
    this.input.placeholder = model.hasKernel
      ? 'Ask a question (Enter to send, Shift+Enter for a new line)'
      : NO_NOTEBOOK;
    this.sendButton.disabled =
      !model.canSend || model.runState !== 'idle' || !this.input.value.trim();
    this.stopButton.hidden = !model.isRunning;
    this.stopButton.disabled = !model.canSend;
  }

  private send(): void {
    if (this.onSend(this.input.value)) {
      this.input.value = '';
      this.render();
    }
  }

  private readonly onSend: (question: string) => boolean;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
}
