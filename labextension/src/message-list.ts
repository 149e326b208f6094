/**
 * The conversation view: a widget per message of the chat model, kept in
 * step with its signals, a placeholder while there is none, and scrolling
 * that follows new messages unless the user scrolled up.
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { textWidget } from './dom';
import {
  AnswerMessage,
  ContextMessage,
  FiguresMessage,
  MessageWidget,
  NoticeMessage,
  QuestionMessage,
  StepMessage,
  ThinkingMessage
} from './messages';
import { ChatMessage, ChatModel, IStepMessage, MessagesChange } from './model';

export const NO_NOTEBOOK = 'Open a notebook to ask sciwand about it.';

export namespace MessageList {
  export interface IOptions {
    model: ChatModel;
    rendermime: IRenderMimeRegistry;
    /** Insert an executed step into the notebook. */
    onInsert(step: IStepMessage): void;
    /** Offer an executed step in place of the cell it fixes (its `target`). */
    onReplace(step: IStepMessage): void;
  }
}

export class MessageList extends Panel {
  constructor(options: MessageList.IOptions) {
    super();
    this.addClass('sciwand-messages');
    this.model = options.model;
    this.rendermime = options.rendermime;
    this.onInsert = options.onInsert;
    this.onReplace = options.onReplace;
    this.model.messagesChanged.connect(this.onMessagesChanged, this);
    this.model.stateChanged.connect(this.showPlaceholder, this);
    this.showPlaceholder();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.messagesChanged.disconnect(this.onMessagesChanged, this);
    this.model.stateChanged.disconnect(this.showPlaceholder, this);
    super.dispose();
  }

  private onMessagesChanged(_: ChatModel, change: MessagesChange): void {
    switch (change.type) {
      case 'cleared':
        for (const widget of this.shown.values()) {
          widget.dispose();
        }
        this.shown.clear();
        break;
      case 'added': {
        const widget = this.createWidget(change.message);
        this.shown.set(change.message, widget);
        this.placeholder?.dispose();
        this.placeholder = null;
        this.addWidget(widget);
        this.scrollToBottom(needsEyes(change.message));
        break;
      }
      case 'changed':
        this.shown.get(change.message)?.render();
        this.scrollToBottom(needsEyes(change.message));
        break;
      case 'removed':
        this.shown.get(change.message)?.dispose();
        this.shown.delete(change.message);
        break;
      case 'replayed':
        this.scrollToBottom(true);
        break;
    }
    this.showPlaceholder();
  }

  private createWidget(message: ChatMessage): MessageWidget {
    switch (message.kind) {
      case 'question':
        return new QuestionMessage(message.text);
      case 'context':
        return new ContextMessage(message.cells);
      case 'thinking':
        return new ThinkingMessage(message);
      case 'answer':
        return new AnswerMessage(this.rendermime, message.text);
      case 'notice':
      case 'error':
        return new NoticeMessage(message.kind, message.text);
      case 'figures':
        return new FiguresMessage(message);
      case 'step':
        return new StepMessage({
          rendermime: this.rendermime,
          message,
          onDecision: (step, action, code) =>
            this.model.decide(step, action, code),
          onInsert: this.onInsert,
          onReplace: this.onReplace
        });
    }
  }

  /** While there is no message: what the panel waits for, or invites. */
  private showPlaceholder(): void {
    if (this.shown.size) {
      return;
    }
    const text = this.placeholderText();
    if (this.placeholder?.node.textContent === text) {
      return;
    }
    this.placeholder?.dispose();
    this.placeholder = textWidget(text, 'sciwand-placeholder');
    this.addWidget(this.placeholder);
  }

  private placeholderText(): string {
    switch (this.model.connection) {
      case 'no-notebook':
        return NO_NOTEBOOK;
      case 'waiting-for-kernel':
        return 'Waiting for the notebook’s kernel…';
      case 'no-kernel':
        return 'This notebook has no kernel: start one to ask sciwand about it.';
      default:
        return `Ask a question about ${this.model.path}.`;
    }
  }

  /** Keep the newest message in view, unless the user scrolled up (and nothing forces it). */
  private scrollToBottom(force = false): void {
    const node = this.node;
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

  private readonly model: ChatModel;
  private readonly rendermime: IRenderMimeRegistry;
  private readonly onInsert: (step: IStepMessage) => void;
  private readonly onReplace: (step: IStepMessage) => void;
  private readonly shown = new Map<ChatMessage, MessageWidget>();
  private placeholder: Widget | null = null;
}

/** A new question (just sent), or a step that waits for a decision: scrolled into view wherever the list is. */
function needsEyes(message: ChatMessage): boolean {
  return (
    message.kind === 'question' ||
    (message.kind === 'step' && message.status === 'proposed' && !message.decided)
  );
}
