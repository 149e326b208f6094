/**
 * The chat's message widgets, one per message of the model: questions,
 * thinking text, steps with their code and outputs, notices, answers and
 * errors. Markdown, code and outputs all go through JupyterLab's own
 * rendermime.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { OutputAreaModel, SimplifiedOutputArea } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { cellError, errorLine } from './cells';
import { button, textWidget } from './dom';
import {
  ChatMessage,
  IFiguresMessage,
  IStepMessage,
  IThinkingMessage,
  StepStatus
} from './model';
import { ICellContext } from './protocol';

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

/** One message of the chat: a vertical stack of child widgets. */
export class MessageWidget extends Panel {
  constructor(kind: ChatMessage['kind'], label?: string) {
    super();
    this.addClass('sciwand-message');
    this.addClass(`sciwand-message-${kind}`);
    if (label) {
      this.header = textWidget(label, 'sciwand-message-header');
      this.addWidget(this.header);
    }
  }

  /** Show the message as the model now has it (for messages that change). */
  render(): void {
    // most messages never change
  }

  protected header: Widget | null = null;
}

/** A question longer than this many characters or lines shows folded. */
export const FOLD_CHARS = 600;
export const FOLD_LINES = 10;

/** A user question; a long one folded to a few lines, with a toggle to show it all. */
export class QuestionMessage extends MessageWidget {
  constructor(text: string) {
    super('question', 'You');
    const body = textWidget(text, 'sciwand-question-text');
    this.addWidget(body);
    if (text.length > FOLD_CHARS || text.split('\n').length > FOLD_LINES) {
      const size = `${text.length.toLocaleString('en-US')} characters`;
      body.addClass('sciwand-mod-folded');
      const toggle = button(`Show all (${size})`, 'sciwand-fold-toggle', '', () => {
        const folded = body.hasClass('sciwand-mod-folded');
        body.toggleClass('sciwand-mod-folded', !folded);
        toggle.textContent = folded ? 'Show less' : `Show all (${size})`;
      });
      this.node.appendChild(toggle);
    }
  }
}

/** The notebook cells a question is about: each folded to its first code line and its error. */
export class ContextMessage extends MessageWidget {
  constructor(cells: readonly ICellContext[]) {
    super('context');
    for (const cell of cells) {
      const details = document.createElement('details');
      details.className = 'sciwand-context-cell';
      const summary = document.createElement('summary');
      const firstLine = cell.code.split('\n', 1)[0];
      const lastErrorLine = cell.error.trim().split('\n').pop() ?? '';
      summary.textContent = `Cell: ${firstLine}`;
      summary.title = 'The cell’s code and outputs went with the question';
      if (lastErrorLine) {
        const error = document.createElement('span');
        error.className = 'sciwand-context-error';
        error.textContent = lastErrorLine;
        summary.appendChild(error);
      }
      const code = document.createElement('pre');
      code.textContent = cell.code;
      details.append(summary, code);
      const tail = cell.error || cell.outputs;
      if (tail) {
        const outputs = document.createElement('pre');
        outputs.className = 'sciwand-context-outputs';
        outputs.textContent = tail;
        details.appendChild(outputs);
      }
      this.node.appendChild(details);
    }
  }
}

/**
 * A step's error, folded to its last line ("ZeroDivisionError: …"); a click
 * shows the whole traceback, rendered as the notebook renders it.
 */
export class TracebackView extends Panel {
  constructor(
    rendermime: IRenderMimeRegistry,
    error: nbformat.IError,
    trusted: boolean
  ) {
    super();
    this.addClass('sciwand-traceback');
    const lines = (error.traceback ?? []).join('\n').split('\n').length;
    const toggle = button(errorLine(error), 'sciwand-traceback-toggle', '', () =>
      this.toggleClass('sciwand-mod-expanded')
    );
    toggle.title = `Show the traceback (${lines} lines)`;
    const header = new Widget({ node: toggle });
    const area = new SimplifiedOutputArea({
      model: new OutputAreaModel({ values: [error], trusted }),
      rendermime
    });
    area.addClass('sciwand-traceback-body');
    this.addWidget(header);
    this.addWidget(area);
  }
}

/** The model's streamed text before a step's code arrives (dimmed). */
export class ThinkingMessage extends MessageWidget {
  constructor(private readonly message: IThinkingMessage) {
    super('thinking');
    this.body = textWidget('', 'sciwand-thinking-text');
    this.addWidget(this.body);
    this.render();
  }

  render(): void {
    this.body.node.textContent = this.message.text;
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
  constructor(kind: 'notice' | 'error' | 'figures', text: string) {
    super(kind);
    this.addWidget(textWidget(text, 'sciwand-notice-text'));
  }
}

/** A context this full or more shows in the warning colour. */
export const CONTEXT_FULL = 0.85;

/**
 * How much of the model's context window the run's last reply used: a thin
 * bar with "3,100 / 8,192 tokens" beside it (and as its tooltip). Null when
 * either number is unknown (a remote model's window, a provider that reports
 * no usage): no gauge then.
 */
export function contextGauge(used: number | null, window: number | null): HTMLElement | null {
  if (used === null || window === null || window <= 0) {
    return null;
  }
  const share = Math.min(1, Math.max(0, used / window));
  const percent = Math.round(share * 100);
  const count = (n: number) => n.toLocaleString('en-US');
  const gauge = document.createElement('div');
  gauge.className = 'sciwand-context' + (share >= CONTEXT_FULL ? ' sciwand-mod-full' : '');
  gauge.title =
    `Context used by the model’s last reply: ${count(used)} of its ${count(window)}-token window ` +
    `(${percent}%): the question, the notebook’s context and the steps so far.`;
  const bar = document.createElement('div');
  bar.className = 'sciwand-context-bar';
  bar.setAttribute('role', 'meter');
  bar.setAttribute('aria-label', 'Context used');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', String(window));
  bar.setAttribute('aria-valuenow', String(used));
  const fill = document.createElement('div');
  fill.className = 'sciwand-context-fill';
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  bar.appendChild(fill);
  const text = document.createElement('span');
  text.className = 'sciwand-context-text';
  text.textContent = `${count(used)} / ${count(window)} tokens`;
  gauge.append(bar, text);
  return gauge;
}

/** What the run took (turns, steps, seconds, tokens in and out), and the context gauge when it can be shown. */
export class FiguresMessage extends NoticeMessage {
  constructor(message: IFiguresMessage) {
    super('figures', message.text);
    const gauge = contextGauge(message.contextUsed, message.contextWindow);
    if (gauge) {
      this.node.appendChild(gauge);
    }
  }
}

export namespace StepMessage {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    message: IStepMessage;
    /** Answer the proposal: run (possibly edited code) or skip. */
    onDecision(step: number, action: 'run' | 'skip', code: string): void;
    /** Insert the executed step into the notebook. */
    onInsert(step: IStepMessage): void;
    /** Offer the executed step in place of its target cell: a diff, then Accept or Reject. */
    onReplace(step: IStepMessage): void;
  }
}

const INSERT_TITLE = 'Insert this code and its outputs as a cell below the active cell';
const REPLACE_TITLE = 'See the change to the cell it fixes, then accept or reject it';

/** A step that went into the notebook: its spent button's label and tooltip. */
const PLACED: Readonly<Record<'inserted' | 'replaced', [string, string]>> = {
  inserted: ['Inserted ✓', 'This step is in the notebook already'],
  replaced: [
    'Replaced ✓',
    'This step replaced the cell it fixes: undo in the cell brings the old code back'
  ]
};

/** What a Fix's step that makes up its data says instead of offering to replace the cell. */
export function inventedNote(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return (
    `Not offered in place of the cell: this fix sets ${shown} to values that are not in the notebook. ` +
    'Where does the data come from? Load it in a cell, or give it in your question, and ask again.'
  );
}

/**
 * One step of a run: its code, then Run / Edit / Skip while it awaits
 * approval (the code wrapped, to be read whole), then its outputs with
 * Insert (and Replace cell for a Fix) once executed. Editing is the
 * widget's own state until the user decides.
 */
export class StepMessage extends MessageWidget {
  constructor(options: StepMessage.IOptions) {
    super('step', `Step ${options.message.step}`);
    this.options = options;
    this.statusNode = document.createElement('span');
    this.statusNode.className = 'sciwand-step-status';
    this.header!.node.appendChild(this.statusNode);
    this.codeSlot = new Panel();
    this.codeSlot.addClass('sciwand-step-code');
    this.actions = new Widget();
    this.actions.addClass('sciwand-step-actions');
    this.explanationSlot = new Panel();
    this.explanationSlot.addClass('sciwand-step-explanation');
    this.addWidget(this.explanationSlot);
    this.addWidget(this.codeSlot);
    this.addWidget(this.actions);
    this.render();
  }

  render(): void {
    const message = this.options.message;
    if (message.status !== 'proposed' || !this.editor) {
      this.setCode(message.code);
    }
    this.setExplanation(message.explanation);
    this.setStatus(message.status);
    // Outputs streamed while the step runs (from the live kernel), then the step's result.
    const outputs = message.result?.outputs ?? message.outputs;
    if (outputs !== this.shownOutputs) {
      this.showOutputs(outputs, message.result ? message.trusted : true);
    }
    this.setActions(...this.buttons(message));
    this.setNote(
      message.target !== null && message.result && message.invented.length
        ? inventedNote(message.invented)
        : ''
    );
  }

  private buttons(message: IStepMessage): HTMLButtonElement[] {
    const result = message.result;
    if (message.status === 'proposed') {
      const choices = [
        button('Run', 'jp-mod-accept sciwand-run-step', 'Run this code in the kernel', () =>
          this.decide('run')
        ),
        button('Edit', 'sciwand-edit-step', 'Edit the code before running', () =>
          this.edit()
        ),
        button('Skip', 'jp-mod-reject sciwand-skip-step', 'Do not run this code', () =>
          this.decide('skip')
        )
      ];
      for (const choice of choices) {
        choice.disabled = message.decided;
      }
      return choices;
    }
    if (!result || result.status === 'skipped') {
      return [];
    }
    if (message.placed) {
      const [label, title] = PLACED[message.placed];
      const done = button(label, 'sciwand-placed', title, () => undefined);
      done.disabled = true;
      return [done];
    }
    const { onInsert, onReplace } = this.options;
    const insert = button('Insert', 'sciwand-insert-step', INSERT_TITLE, () =>
      onInsert(message)
    );
    if (message.target === null || message.invented.length) {
      return [insert]; // a step that makes up its data is never offered in place of the cell
    }
    const replaceClass = 'jp-mod-accept sciwand-replace-cell';
    return [
      button('Replace cell…', replaceClass, REPLACE_TITLE, () => onReplace(message)),
      insert
    ];
  }

  /** A word under the step's buttons ("" for none). */
  private setNote(text: string): void {
    if (text === (this.note?.node.textContent ?? '')) {
      return;
    }
    this.note?.dispose();
    this.note = null;
    if (text) {
      this.note = textWidget(text, 'sciwand-step-note');
      this.addWidget(this.note);
    }
  }

  private decide(action: 'run' | 'skip'): void {
    const message = this.options.message;
    const code =
      action === 'run' && this.editor ? this.editor.value : message.code;
    this.options.onDecision(message.step, action, code);
  }

  private edit(): void {
    if (this.editor) {
      this.editor.focus();
      return;
    }
    const code = this.options.message.code;
    const holder = new Widget({ node: document.createElement('textarea') });
    holder.addClass('sciwand-step-editor');
    const editor = holder.node as HTMLTextAreaElement;
    editor.value = code;
    editor.spellcheck = false;
    editor.rows = Math.min(20, Math.max(4, code.split('\n').length + 1));
    this.clearCodeSlot();
    this.codeSlot.addWidget(holder);
    this.editor = editor;
    editor.focus();
  }

  private setCode(code: string): void {
    if (code === this.shownCode && this.codeSlot.widgets.length && !this.editor) {
      return;
    }
    this.shownCode = code;
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

  /** The model's reason for the step, above its code. */
  private setExplanation(explanation: string): void {
    if (explanation === this.shownExplanation) {
      return;
    }
    this.shownExplanation = explanation;
    for (const widget of [...this.explanationSlot.widgets]) {
      widget.dispose();
    }
    if (explanation) {
      this.explanationSlot.addWidget(
        markdownWidget(this.options.rendermime, explanation)
      );
    }
    this.explanationSlot.setHidden(!explanation);
  }

  private showOutputs(outputs: nbformat.IOutput[], trusted: boolean): void {
    this.shownOutputs = outputs;
    this.outputArea?.dispose();
    this.outputArea = null;
    if (!outputs.length) {
      return;
    }
    const rendermime = this.options.rendermime;
    const error = cellError(outputs);
    const values = outputs.filter(output => output !== error);
    this.outputArea = new Panel();
    this.outputArea.addClass('sciwand-step-outputs');
    if (values.length) {
      const model = new OutputAreaModel({ values, trusted });
      this.outputArea.addWidget(new SimplifiedOutputArea({ model, rendermime }));
    }
    if (error) {
      this.outputArea.addWidget(new TracebackView(rendermime, error, trusted));
    }
    this.insertWidget(this.widgets.indexOf(this.actions), this.outputArea);
  }

  private setStatus(status: StepStatus): void {
    if (this.shownStatus) {
      this.removeClass(`sciwand-step-${this.shownStatus}`);
    }
    this.shownStatus = status;
    this.addClass(`sciwand-step-${status}`);
    const count = this.options.message.result?.executionCount;
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
  private outputArea: Panel | null = null;
  private shownCode = '';
  private shownStatus: StepStatus | null = null;
  private readonly explanationSlot: Panel;
  private shownExplanation: string | null = null;
  private shownOutputs: nbformat.IOutput[] | null = null;
  private note: Widget | null = null;
}
