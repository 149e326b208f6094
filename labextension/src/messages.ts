/**
 * The chat's message widgets, one per message of the model: questions,
 * thinking text, steps with their code and outputs, notices, answers and
 * errors. Markdown, code and outputs all go through JupyterLab's own
 * rendermime.
 */
import { OutputAreaModel, SimplifiedOutputArea } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { button, textWidget } from './dom';
import {
  ChatMessage,
  IStepMessage,
  IStepResult,
  IThinkingMessage,
  StepStatus
} from './model';

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

/** A user question. */
export class QuestionMessage extends MessageWidget {
  constructor(text: string) {
    super('question', 'You');
    this.addWidget(textWidget(text, 'sciwand-question-text'));
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

export namespace StepMessage {
  export interface IOptions {
    rendermime: IRenderMimeRegistry;
    message: IStepMessage;
    /** Answer the proposal: run (possibly edited code) or skip. */
    onDecision(step: number, action: 'run' | 'skip', code: string): void;
    /** Insert the executed step into the notebook. */
    onInsert(result: IStepResult): void;
  }
}

/**
 * One step of a run: its code, then Run / Edit / Skip while it awaits
 * approval, then its outputs with an Insert button once executed. Editing
 * is the widget's own state until the user decides.
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
    this.addWidget(this.codeSlot);
    this.addWidget(this.actions);
    this.render();
  }

  render(): void {
    const message = this.options.message;
    if (message.status !== 'proposed' || !this.editor) {
      this.setCode(message.code);
    }
    this.setStatus(message.status);
    if (message.result !== this.shownResult) {
      this.showOutputs(message.result, message.trusted);
    }
    this.setActions(...this.buttons(message));
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
    if (result && result.status !== 'skipped') {
      return [
        button(
          'Insert',
          'sciwand-insert-step',
          'Insert this code and its outputs as a cell below the active cell',
          () => this.options.onInsert(result)
        )
      ];
    }
    return [];
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

  private showOutputs(result: IStepResult | null, trusted: boolean): void {
    this.shownResult = result;
    this.outputArea?.dispose();
    this.outputArea = null;
    if (result?.outputs.length) {
      const model = new OutputAreaModel({ values: result.outputs, trusted });
      this.outputArea = new SimplifiedOutputArea({
        model,
        rendermime: this.options.rendermime
      });
      this.outputArea.addClass('sciwand-step-outputs');
      this.insertWidget(this.widgets.indexOf(this.actions), this.outputArea);
    }
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
  private outputArea: SimplifiedOutputArea | null = null;
  private shownCode = '';
  private shownStatus: StepStatus | null = null;
  private shownResult: IStepResult | null = null;
}
