/**
 * The panel's controls, each a view of the chat model's state: the header
 * (model choice, approval, new chat), the status bar (connection, running
 * indicator) and the input (question, Send, Stop).
 */
import { addIcon, Styling } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { button } from './dom';
import { MentionList } from './mentions';
import { ChatModel, RUN_STATE_LABELS } from './model';
import { NO_NOTEBOOK } from './message-list';
import { Preferences } from './preferences';
import { IConfig, IVariables } from './protocol';

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

/**
 * A model's name short enough for a narrow sidebar: the last part of its
 * name or path ("scripted:/tmp/replies.json" → "replies.json",
 * "openai:gpt-4o-mini" → "gpt-4o-mini"); the full name is the option's title.
 */
export function shortModelName(model: string): string {
  const name = model.includes(':') ? model.slice(model.indexOf(':') + 1) : model;
  return name.split(/[\\/]/).filter(Boolean).pop() || model;
}

function modelOption(model: string): HTMLOptionElement {
  const option = new Option(shortModelName(model), model);
  option.title = model;
  return option;
}

/** One row: title, model dropdown, approval toggle, new chat. */
export class ChatHeader extends ModelView {
  constructor(options: ChatHeader.IOptions) {
    super(options.model);
    this.addClass('sciwand-header');
    this.preferences = options.preferences;
    const title = document.createElement('span');
    title.className = 'sciwand-title';
    title.textContent = 'sciwand';
    this.modelSelect = document.createElement('select');
    this.modelSelect.className = 'sciwand-model';
    this.modelSelect.appendChild(new Option('default model', ''));
    this.modelSelect.addEventListener('change', () => this.showModelTitle());
    this.showModelTitle();
    const modelWrapper = Styling.wrapSelect(this.modelSelect); // JupyterLab's dropdown, with its arrow
    modelWrapper.classList.add('sciwand-model-wrapper');
    const approvalLabel = document.createElement('label');
    approvalLabel.className = 'sciwand-approval-label';
    approvalLabel.title = 'Show each step’s code and wait for Run / Edit / Skip';
    this.approvalBox = document.createElement('input');
    this.approvalBox.type = 'checkbox';
    this.approvalBox.className = 'sciwand-approval';
    this.approvalBox.addEventListener('change', () =>
      this.preferences.saveApproval(this.approvalBox.checked)
    );
    approvalLabel.append(this.approvalBox, ' Approve');
    this.newChatButton = button(
      '',
      'sciwand-new-chat',
      'New chat: forget this notebook’s conversation',
      options.onNewChat
    );
    this.newChatButton.appendChild(addIcon.element({ tag: 'span' }));
    this.node.append(title, modelWrapper, approvalLabel, this.newChatButton);
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
      select.appendChild(modelOption(model));
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
    this.showModelTitle();
    this.showApproval();
  }

  /** The chosen model's full name, as the dropdown's tooltip. */
  private showModelTitle(): void {
    const model = this.modelSelect.value;
    this.modelSelect.title = `The model that answers: ${model || 'the server’s default'}`;
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
    const spinner = document.createElement('span');
    spinner.className = 'sciwand-spinner';
    this.runLabel = document.createElement('span');
    this.runLabel.className = 'sciwand-run-state';
    this.runningNode.append(spinner, this.runLabel);
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
    // The run's state, with a spinner while it goes on; a stopped or failed run says so until the next.
    const { runState, isRunning } = this.model;
    const label = RUN_STATE_LABELS[runState];
    this.runLabel.textContent = label;
    this.runningNode.dataset.state = runState;
    this.runningNode.classList.toggle('sciwand-mod-ended', !isRunning);
    if (label && !this.runningNode.isConnected) {
      this.node.appendChild(this.runningNode);
    } else if (!label) {
      this.runningNode.remove();
    }
  }

  private readonly statusText: HTMLSpanElement;
  private readonly runningNode: HTMLSpanElement;
  private readonly runLabel: HTMLSpanElement;
}

export namespace ChatInput {
  export interface IOptions {
    model: ChatModel;
    /** Send the question (with the notebook's selected cells as its context, if asked); true if it went out (the input then empties). */
    onSend(question: string, withSelectedCells: boolean): boolean;
    /** The kernel's variables, for the `@` list (none: no list). */
    fetchVariables?(): Promise<IVariables>;
  }
}

/**
 * The question's textarea (Enter sends, Shift+Enter breaks the line, `@`
 * lists the kernel's variables), Send and Stop.
 */
export class ChatInput extends ModelView {
  constructor(options: ChatInput.IOptions) {
    super(options.model);
    this.addClass('sciwand-footer');
    this.onSend = options.onSend;
    this.input = document.createElement('textarea');
    this.input.className = 'sciwand-input';
    this.input.rows = 3;
    const fetchVariables = options.fetchVariables;
    this.mentions = fetchVariables
      ? new MentionList({ input: this.input, fetchVariables: () => fetchVariables() })
      : null;
    const mentions = this.mentions;
    this.input.addEventListener('keydown', event => {
      if (mentions?.handleKey(event)) {
        return;
      }
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener('input', () => {
      this.render();
      mentions?.update();
    });
    if (mentions) {
      // The caret moved without typing: in or out of an @name.
      this.input.addEventListener('keyup', event => {
        if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
          mentions.update();
        }
      });
      this.input.addEventListener('click', () => mentions.update());
      this.input.addEventListener('blur', () => mentions.close());
    }
    this.sendButton = button('Send', 'jp-mod-accept sciwand-send', '', () =>
      this.send()
    );
    this.stopButton = button(
      'Stop',
      'jp-mod-warn sciwand-stop',
      'Stop the running question',
      () => this.model.stop()
    );
    const cellsLabel = document.createElement('label');
    cellsLabel.className = 'sciwand-cells-label';
    cellsLabel.title =
      'Send the code, outputs and errors of the notebook’s selected cells with the question';
    this.cellsBox = document.createElement('input');
    this.cellsBox.type = 'checkbox';
    this.cellsBox.className = 'sciwand-include-cells';
    cellsLabel.append(this.cellsBox, ' Selected cells');
    const buttons = document.createElement('div');
    buttons.className = 'sciwand-footer-buttons';
    buttons.append(cellsLabel, this.stopButton, this.sendButton);
    this.node.append(this.input, buttons);
    if (mentions) {
      this.node.prepend(mentions.node);
    }
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
      !model.canSend || model.runState === 'asking' || !this.input.value.trim();
    this.stopButton.hidden = !model.isRunning;
    this.stopButton.disabled = !model.canSend;
  }

  private send(): void {
    if (this.onSend(this.input.value, this.cellsBox.checked)) {
      this.input.value = '';
      this.mentions?.close();
      this.render();
    }
  }

  private readonly onSend: (question: string, withSelectedCells: boolean) => boolean;
  private readonly mentions: MentionList | null;
  private readonly cellsBox: HTMLInputElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
}
