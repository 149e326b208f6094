/**
 * The chat's message widgets: questions, thinking text, steps with their
 * code and outputs, notices, answers and errors. Markdown, code and outputs
 * all go through JupyterLab's own rendermime.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { OutputAreaModel, SimplifiedOutputArea } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

export type MessageKind =
  | 'question'
  | 'answer'
  | 'step'
  | 'notice'
  | 'error'
  | 'thinking';

/** A Markdown fence for `code` that no backtick run inside it can close. */
export function codeFence(code: string, language = 'python'): string {
  const longest = Math.max(
    0,
    ...(code.match(/`+/g) ?? []).map(run => run.length)
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${code}\n${fence}`;
}

/** Markdown rendered by the registry's `text/markdown` renderer. */
export function markdownWidget(
  rendermime: IRenderMimeRegistry,
  markdown: string,
  className = 'sciwand-markdown'
): Widget {
  const renderer = rendermime.createRenderer('text/markdown');
  renderer.addClass(className);
  const model = new MimeModel({
    data: { 'text/markdown': markdown },
    trusted: false
  });
  renderer.renderModel(model).catch(error => {
    renderer.node.textContent = markdown;
    console.warn('sciwand: markdown rendering failed', error);
  });
  return renderer;
}

/** A plain-text widget. */
export function textWidget(text: string, className: string): Widget {
  const widget = new Widget();
  widget.addClass(className);
  widget.node.textContent = text;
  return widget;
}

function button(
  label: string,
  className: string,
  title: string,
  onClick: () => void
): HTMLButtonElement {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = `jp-mod-styled sciwand-button ${className}`;
  node.textContent = label;
  node.title = title;
  node.addEventListener('click', onClick);
  return node;
}

/** One message of the chat: a vertical stack of child widgets. */
export class MessageWidget extends Panel {
  constructor(kind: MessageKind, label?: string) {
    super();
    this.addClass('sciwand-message');
    this.addClass(`sciwand-message-${kind}`);
    if (label) {
      this.header = textWidget(label, 'sciwand-message-header');
      this.addWidget(this.header);
    }
  }

  protected header: Widget | null = null;
}

/** A user question. */
export class QuestionMessage extends MessageWidget {
  constructor(text: string) {
    super('question', 'You');
    this.addWidget(textWidget(text, 'sciwand-question-text'));
  }
}

/** The model's streamed text before a step's code arrives (dimmed). */
export class ThinkingMessage extends MessageWidget {
  constructor() {
    super('thinking');
    this.body = textWidget('', 'sciwand-thinking-text');
    this.addWidget(this.body);
  }

  append(text: string): void {
    this.body.node.textContent += text;
  }

  private body: Widget;
}

/** The final answer, or its absence. */
export class AnswerMessage extends MessageWidget {
  constructor(rendermime: IRenderMimeRegistry, text: string | null) {
    super('answer', 'sciwand');
    this.addWidget(
      text === null
        ? textWidget('The run ended without an answer.', 'sciwand-no-answer')
        : markdownWidget(rendermime, text)
    );
  }
}

/** A notice or an error line. */
export class NoticeMessage extends MessageWidget {
  constructor(kind: 'notice' | 'error', text: string) {
    super(kind);
    this.addWidget(textWidget(text, 'sciwand-notice-text'));
  }
}

export type StepStatus =
  | 'proposed'
  | 'running'
  | 'ok'
  | 'error'
  | 'skipped'
  | 'expired';

export interface IStepResult {
  code: string;
  status: 'ok' | 'error' | 'skipped';
  outputs: nbformat.IOutput[];
  executionCount: number | null;
}

export namespace StepMessage {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    step: number;
    /** Answer a proposal: run (possibly edited code) or skip. */
    onDecision(step: number, action: 'run' | 'skip', code: string): void;
    /** Insert the executed step into the notebook. */
    onInsert(result: IStepResult): void;
  }
}

/**
 * One step of a run: its code, then Run / Edit / Skip while it awaits
 * approval, then its outputs with an Insert button once executed.
 */
export class StepMessage extends MessageWidget {
  constructor(options: StepMessage.IOptions) {
    super('step', `Step ${options.step}`);
    this.options = options;
    this.statusNode = document.createElement('span');
    this.statusNode.className = 'sciwand-step-status';
    this.header!.node.appendChild(this.statusNode);
    this.codeSlot = new Panel();
    this.codeSlot.addClass('sciwand-step-code');
    this.actions = new Widget();
    this.actions.addClass('sciwand-step-actions');
    this.addWidget(this.codeSlot);
    this.addWidget(this.actions);
  }

  get step(): number {
    return this.options.step;
  }

  get status(): StepStatus | null {
    return this._status;
  }

  /** The code awaits the user's decision (or just runs, without approval). */
  propose(code: string, needsApproval: boolean): void {
    this.setCode(code);
    if (!needsApproval) {
      this.setStatus('running');
      return;
    }
    this.setStatus('proposed');
    this.setActions(
      button('Run', 'jp-mod-accept sciwand-run-step', 'Run this code in the kernel', () =>
        this.decide('run')
      ),
      button('Edit', 'sciwand-edit-step', 'Edit the code before running', () =>
        this.edit()
      ),
      button('Skip', 'jp-mod-reject sciwand-skip-step', 'Do not run this code', () =>
        this.decide('skip')
      )
    );
  }

  setRunning(code: string): void {
    this.setCode(code);
    this.setStatus('running');
    this.setActions();
  }

  /** The executed (or skipped) step: outputs and an Insert button. */
  setResult(result: IStepResult, trusted: boolean): void {
    this.result = result;
    this.setCode(result.code);
    this.setStatus(result.status);
    this.outputArea?.dispose();
    this.outputArea = null;
    if (result.outputs.length) {
      const model = new OutputAreaModel({ values: result.outputs, trusted });
      this.outputArea = new SimplifiedOutputArea({
        model,
        rendermime: this.options.rendermime
      });
      this.outputArea.addClass('sciwand-step-outputs');
      this.insertWidget(this.widgets.indexOf(this.actions), this.outputArea);
    }
    if (result.status === 'skipped') {
      this.setActions();
    } else {
      this.setActions(
        button(
          'Insert',
          'sciwand-insert-step',
          'Insert this code and its outputs as a cell below the active cell',
          () => this.options.onInsert(result)
        )
      );
    }
  }

  /** A proposal nobody can answer any more (the run is over). */
  expire(): void {
    if (this._status === 'proposed') {
      this.setStatus('expired');
      this.setActions();
      if (this.editor) {
        this.setCode(this.code);
      }
    }
  }

  get code(): string {
    return this._code;
  }

  private decide(action: 'run' | 'skip'): void {
    const code = action === 'run' && this.editor ? this.editor.value : this._code;
    for (const node of this.actions.node.querySelectorAll('button')) {
      node.disabled = true;
    }
    this.options.onDecision(this.step, action, code);
  }

  private edit(): void {
    if (this.editor) {
      this.editor.focus();
      return;
    }
    const holder = new Widget({ node: document.createElement('textarea') });
    holder.addClass('sciwand-step-editor');
    const editor = holder.node as HTMLTextAreaElement;
    editor.value = this._code;
    editor.spellcheck = false;
    editor.rows = Math.min(20, Math.max(4, this._code.split('\n').length + 1));
    this.clearCodeSlot();
    this.codeSlot.addWidget(holder);
    this.editor = editor;
    editor.focus();
  }

  private setCode(code: string): void {
    if (code === this._code && this.codeSlot.widgets.length && !this.editor) {
      return;
    }
    this._code = code;
    this.clearCodeSlot();
    this.codeSlot.addWidget(
      markdownWidget(this.options.rendermime, codeFence(code))
    );
  }

  private clearCodeSlot(): void {
    this.editor = null;
    for (const widget of [...this.codeSlot.widgets]) {
      widget.dispose();
    }
  }

  private setStatus(status: StepStatus): void {
    if (this._status) {
      this.removeClass(`sciwand-step-${this._status}`);
    }
    this._status = status;
    this.addClass(`sciwand-step-${status}`);
    const count = this.result?.executionCount;
    this.statusNode.textContent =
      status === 'ok' && count !== null && count !== undefined
        ? `ok [${count}]`
        : status === 'proposed'
          ? 'awaiting approval'
          : status;
  }

  private setActions(...buttons: HTMLButtonElement[]): void {
    this.actions.node.replaceChildren(...buttons);
    this.actions.setHidden(buttons.length === 0);
  }

  private readonly options: StepMessage.IOptions;
  private readonly statusNode: HTMLSpanElement;
  private readonly codeSlot: Panel;
  private readonly actions: Widget;
  private editor: HTMLTextAreaElement | null = null;
  private outputArea: SimplifiedOutputArea | null = null;
  private result: IStepResult | null = null;
  private _code = '';
  private _status: StepStatus | null = null;
}
