/**
 * The chat's state, apart from any DOM: where the connection and the run
 * are, and the messages to show. Server events come in through `apply` (one
 * dispatch for live and replayed events); the user's requests go out through
 * `ask`, `decide` and `stop`, which refuse what the state does not allow.
 * Views follow the model's signals.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { ISignal, Signal } from '@lumino/signaling';

import {
  ClientRequest,
  ICellContext,
  IDoneEvent,
  IFiguresEvent,
  IStepEvent,
  ServerEvent
} from './protocol';

/** The panel's link to its notebook's chat on the server. */
export type ConnectionState =
  /** No notebook is active. */
  | 'no-notebook'
  /** The notebook's kernel is starting. */
  | 'waiting-for-kernel'
  /** The notebook has no kernel to run code in. */
  | 'no-kernel'
  /** The socket is opening (a request sent now goes out once it is open). */
  | 'connecting'
  | 'connected'
  /** The socket dropped; it retries by itself. */
  | 'disconnected';

/** Where the notebook's question is. */
export type RunState =
  /** Nothing runs: a question can be asked. */
  | 'idle'
  /** A question was sent; the server has not started it yet. */
  | 'asking'
  /** The run waits for the kernel: a notebook cell is running. */
  | 'waiting-for-kernel'
  /** The model is writing its next reply (its text streams in). */
  | 'model-writing'
  /** A proposed step waits for Run / Edit / Skip. */
  | 'waiting-for-approval'
  /** A step runs in the kernel, its outputs streaming in. */
  | 'running-step'
  /** The last run was stopped: a question can be asked. */
  | 'stopped'
  /** The last run failed: a question can be asked. */
  | 'error';

/** What the panel says of each run state. */
export const RUN_STATE_LABELS: Readonly<Record<RunState, string>> = {
  idle: '',
  asking: 'Asking…',
  'waiting-for-kernel': 'Waiting for the kernel: a notebook cell is running…',
  'model-writing': 'The model is writing…',
  'waiting-for-approval': 'Waiting for your approval',
  'running-step': 'Running a step…',
  stopped: 'Stopped',
  error: 'The run failed'
};

export type StepStatus =
  | 'proposed'
  | 'running'
  | 'ok'
  | 'error'
  | 'skipped'
  | 'expired';

/** An ended step, as the notebook would hold it. */
export interface IStepResult {
  code: string;
  status: IStepEvent['status'];
  outputs: nbformat.IOutput[];
  executionCount: number | null;
}

/** One step of a run, updated in place as its events arrive. */
export interface IStepMessage {
  readonly kind: 'step';
  readonly step: number;
  code: string;
  status: StepStatus;
  result: IStepResult | null;
  /** The result came live from the kernel (replayed outputs are untrusted). */
  trusted: boolean;
  /** A decision on this proposal was sent: its buttons are spent. */
  decided: boolean;
  /** The model's reason for the step: its words around the code. */
  explanation: string;
  /** Outputs streamed while the step runs (its result then holds them all). */
  outputs: nbformat.IOutput[];
  /** The id of the notebook cell this step may replace (the cell a Fix asked about), if any. */
  readonly target: string | null;
  /**
   * What the step's code sets to data neither the notebook nor the question
   * shows (the server's judgement): such a step is not offered in place of a cell.
   */
  invented: string[];
  /** The step went into the notebook from this panel: as a new cell, or in place of its target. */
  placed: 'inserted' | 'replaced' | null;
}

/** What a run took: its figures line, and how full the model's context got. */
export interface IFiguresMessage {
  readonly kind: 'figures';
  readonly text: string;
  /** Prompt tokens of the run's last reply (null: not reported). */
  readonly contextUsed: number | null;
  /** The model's context window in tokens (null: not known, as for a remote model). */
  readonly contextWindow: number | null;
}

/** The model's streamed text before a step's code arrives. */
export interface IThinkingMessage {
  readonly kind: 'thinking';
  text: string;
}

export type ChatMessage =
  | { readonly kind: 'question'; readonly text: string }
  /** The notebook cells the question is about. */
  | { readonly kind: 'context'; readonly cells: readonly ICellContext[] }
  | { readonly kind: 'answer'; readonly text: string | null }
  | { readonly kind: 'notice' | 'error'; readonly text: string }
  | IFiguresMessage
  | IThinkingMessage
  | IStepMessage;

/** What changed in the message list. */
export type MessagesChange =
  | { type: 'added' | 'changed' | 'removed'; message: ChatMessage }
  | { type: 'cleared' }
  /** A history replay ended: the list is the conversation so far. */
  | { type: 'replayed' };

/** Where requests go: the notebook's socket. */
export interface ITransport {
  /** False if the request could not be sent. */
  send(request: ClientRequest): boolean;
}

export const NOT_CONNECTED = 'Not connected to the sciwand server.';

/** The states in which a question is running on the server. */
const RUNNING: ReadonlySet<RunState> = new Set<RunState>([
  'waiting-for-kernel',
  'model-writing',
  'waiting-for-approval',
  'running-step'
]);

/** The states in which no question runs: a new one may be asked. */
const ENDED: ReadonlySet<RunState> = new Set<RunState>(['idle', 'stopped', 'error']);

export class ChatModel {
  get connection(): ConnectionState {
    return this._connection;
  }

  /** Why the socket dropped, while `connection` is 'disconnected'. */
  get connectionDetail(): string {
    return this._detail;
  }

  /** The notebook path the chat is about, once its kernel is known. */
  get path(): string | null {
    return this._path;
  }

  get runState(): RunState {
    return this._runState;
  }

  /** A question runs on the server (Stop applies). */
  get isRunning(): boolean {
    return RUNNING.has(this._runState);
  }

  /** No question runs or is being sent: a new one may be asked. */
  get canAsk(): boolean {
    return ENDED.has(this._runState);
  }

  /** The panel has a kernel to talk to (its input is usable). */
  get hasKernel(): boolean {
    return this._path !== null;
  }

  /** Requests can be sent now or as soon as the socket opens. */
  get canSend(): boolean {
    return (
      this.transport !== null &&
      (this._connection === 'connecting' || this._connection === 'connected')
    );
  }

  get messages(): readonly ChatMessage[] {
    return this._messages;
  }

  /** Connection or run state changed. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  get messagesChanged(): ISignal<this, MessagesChange> {
    return this._messagesChanged;
  }

  /** A step ran without error just now (not in a replay): e.g. to insert it into the notebook. */
  get stepSucceeded(): ISignal<this, IStepMessage> {
    return this._stepSucceeded;
  }

  transport: ITransport | null = null;

  /** Start over for another notebook (or none): no messages, nothing running. */
  reset(connection: 'no-notebook' | 'waiting-for-kernel'): void {
    this.transport = null;
    this._path = null;
    this.clear();
    this._runState = 'idle';
    this.setConnection(connection);
  }

  /** The connection's progress; `path` once the kernel is known. */
  setConnection(state: ConnectionState, detail = '', path?: string): void {
    this._connection = state;
    this._detail = detail;
    if (path !== undefined) {
      this._path = path;
    }
    if (state === 'disconnected') {
      this._runState = 'idle'; // nothing the panel could follow is running
    }
    this._stateChanged.emit();
  }

  /** Forget the shown conversation. */
  clear(): void {
    this._messages = [];
    this.steps.clear();
    this.thinking = null;
    this._messagesChanged.emit({ type: 'cleared' });
  }

  /** Show a notebook's history: its events replace the messages. */
  replay(events: readonly ServerEvent[], failure: string | null = null): void {
    this.clear();
    this._runState = 'idle';
    for (const event of events) {
      this.apply(event, false);
    }
    if (failure) {
      this.add({ kind: 'error', text: failure });
    }
    if (this._connection !== 'connecting' && this._connection !== 'connected') {
      this._runState = 'idle'; // a run the history shows unfinished, with no socket to follow it
    }
    this._messagesChanged.emit({ type: 'replayed' });
    this._stateChanged.emit();
  }

  /** Apply one server event: `live` from the socket, else replayed from the history. */
  apply(event: ServerEvent, live = true): void {
    switch (event.type) {
      case 'state':
        if (event.running) {
          this.enter(this.isRunning ? this._runState : 'model-writing');
        } else {
          if (!this.canAsk) {
            this.enter('idle'); // after `done`, its stopped or error state stays
          }
          this.expireProposals();
        }
        break;
      case 'question':
        this.steps.clear(); // step numbers start again with each run
        this.dropThinking();
        this.add({ kind: 'question', text: event.text });
        this.ownsRun = live && !!event.ask_id && event.ask_id === this.askId;
        this.runTarget = this.ownsRun ? this.askedTarget : null;
        this.askedTarget = null;
        this.enter('model-writing');
        break;
      case 'context':
        this.add({ kind: 'context', cells: event.cells });
        break;
      case 'token':
        this.think(event.text);
        break;
      case 'kernel':
        if (event.busy && this._runState !== 'waiting-for-kernel') {
          this.resumeState = this.isRunning ? this._runState : 'model-writing';
          this.advance('waiting-for-kernel');
        } else if (!event.busy && this._runState === 'waiting-for-kernel') {
          this.enter(this.resumeState);
        }
        break;
      case 'output': {
        const step = this.step(event.step);
        step.outputs = [...step.outputs, event.output];
        this.changed(step);
        break;
      }
      case 'proposed': {
        this.dropThinking();
        const step = this.step(event.step);
        step.code = event.code;
        step.explanation = event.explanation || step.explanation;
        step.status = event.needs_approval ? 'proposed' : 'running';
        step.decided = false;
        this.changed(step);
        this.advance(event.needs_approval ? 'waiting-for-approval' : 'running-step');
        break;
      }
      case 'running': {
        this.dropThinking();
        const step = this.step(event.step);
        step.code = event.code;
        step.explanation = event.explanation || step.explanation;
        step.status = 'running';
        this.changed(step);
        this.advance('running-step');
        break;
      }
      case 'step':
        this.dropThinking();
        this.endStep(event, live);
        this.advance('model-writing');
        break;
      case 'notice':
        this.add({ kind: 'notice', text: event.text });
        break;
      case 'answer':
        this.dropThinking();
        this.add({ kind: 'answer', text: event.text });
        break;
      case 'figures':
        this.add({
          kind: 'figures',
          text: figuresText(event),
          // history written before these figures were has none
          contextUsed: event.context_used ?? null,
          contextWindow: event.context_window ?? null
        });
        break;
      case 'error':
        this.dropThinking();
        this.add({ kind: 'error', text: event.message });
        if (this._runState === 'asking') {
          this.enter(this.askedFrom); // the question was refused
        }
        break;
      case 'done':
        this.dropThinking();
        this.expireProposals();
        this.enter(DONE_STATES[event.status]);
        break;
      default:
        console.warn('sciwand: unknown event', event);
    }
  }

  /**
   * Ask a question about the `context` cells; false (and nothing sent) unless
   * the chat is idle and has a socket. The run's steps may replace the cell
   * whose id is `target`. `notebookCode` (the notebook's code cells) tells
   * the server which data the user gave.
   */
  ask(
    question: string,
    model: string | null,
    approval: boolean,
    context: ICellContext[] = [],
    target: string | null = null,
    notebookCode: string[] = []
  ): boolean {
    const text = question.trim();
    if (!text || this._runState === 'asking' || !this.transport) {
      return false;
    }
    const askId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const request: ClientRequest = {
      type: 'ask',
      question: text,
      model,
      approval,
      context,
      ask_id: askId,
      notebook_code: notebookCode
    };
    if (!this.canAsk) {
      this.request(request); // a run goes on (maybe another tab's): the server's refusal says so
      return false;
    }
    if (!this.request(request)) {
      return false;
    }
    this.askId = askId;
    this.askedTarget = target;
    this.askedFrom = this._runState;
    this.enter('asking');
    return true;
  }

  /** Answer the proposal of `step`; a decision for any other step (an expired one, say) is not sent. */
  decide(step: number, action: 'run' | 'skip', code: string): boolean {
    const message = this.steps.get(step);
    const open =
      this._runState === 'waiting-for-approval' &&
      message?.status === 'proposed' &&
      !message.decided;
    if (!message || !open) {
      return false;
    }
    if (!this.request({ type: 'decision', step, action, code })) {
      return false;
    }
    message.decided = true;
    this.changed(message);
    return true;
  }

  stop(): void {
    if (this.isRunning) {
      this.request({ type: 'stop' });
    }
  }

  /** The step went into the notebook (its Insert or Replace is spent). */
  markPlaced(step: IStepMessage, how: 'inserted' | 'replaced'): void {
    if (this.steps.get(step.step) === step) {
      step.placed = how;
      this.changed(step);
    }
  }

  /** An error to show in the conversation (a failed insert, an unreachable server). */
  error(text: string): void {
    this.add({ kind: 'error', text });
  }

  private request(request: ClientRequest): boolean {
    if (this.transport?.send(request)) {
      return true;
    }
    this.error(NOT_CONNECTED);
    return false;
  }

  private enter(state: RunState): void {
    if (state !== this._runState) {
      this._runState = state;
      this._stateChanged.emit();
    }
  }

  /** Move on within a running question (events of a finished one change nothing). */
  private advance(state: RunState): void {
    if (this.isRunning) {
      this.enter(state);
    }
  }

  private endStep(event: IStepEvent, live: boolean): void {
    const step = this.step(event.step);
    const result: IStepResult = {
      code: event.code,
      status: event.status,
      outputs: event.outputs,
      executionCount: event.execution_count
    };
    step.code = event.code;
    step.status = event.status;
    step.result = result;
    step.trusted = live;
    step.invented = event.invented ?? []; // history written before the field was
    this.changed(step);
    // Only the tab that asked inserts, and a fix's step is offered to replace its cell instead.
    if (live && this.ownsRun && step.target === null && event.status === 'ok') {
      this._stepSucceeded.emit(step);
    }
  }

  private step(number: number): IStepMessage {
    let step = this.steps.get(number);
    if (!step) {
      step = {
        kind: 'step',
        step: number,
        code: '',
        status: 'running',
        result: null,
        trusted: false,
        decided: false,
        target: this.runTarget,
        explanation: '',
        outputs: [],
        invented: [],
        placed: null
      };
      this.steps.set(number, step);
      this.add(step);
    }
    return step;
  }

  private think(text: string): void {
    if (this.thinking) {
      this.thinking.text += text;
      this.changed(this.thinking);
    } else {
      this.thinking = { kind: 'thinking', text };
      this.add(this.thinking);
    }
  }

  private dropThinking(): void {
    const thinking = this.thinking;
    if (thinking) {
      this.thinking = null;
      this._messages = this._messages.filter(message => message !== thinking);
      this._messagesChanged.emit({ type: 'removed', message: thinking });
    }
  }

  /** Proposals nobody can answer any more: the run is over. */
  private expireProposals(): void {
    for (const step of this.steps.values()) {
      if (step.status === 'proposed') {
        step.status = 'expired';
        this.changed(step);
      }
    }
  }

  private add(message: ChatMessage): void {
    this._messages = [...this._messages, message];
    this._messagesChanged.emit({ type: 'added', message });
  }

  private changed(message: ChatMessage): void {
    this._messagesChanged.emit({ type: 'changed', message });
  }

  private _connection: ConnectionState = 'no-notebook';
  private _detail = '';
  private _path: string | null = null;
  private _runState: RunState = 'idle';
  private _messages: ChatMessage[] = [];
  private steps = new Map<number, IStepMessage>();
  private thinking: IThinkingMessage | null = null;
  /** The cell the question asked from this tab may replace, until its run starts. */
  private askedTarget: string | null = null;
  /** The id of this tab's last question: the run whose question carries it is this tab's own. */
  private askId = '';
  /** The current run was asked from this tab: only this tab inserts its steps into the notebook. */
  private ownsRun = false;
  /** The state a refused question returns to. */
  private askedFrom: RunState = 'idle';
  /** The state the run goes back to once the kernel is free. */
  private resumeState: RunState = 'model-writing';
  /** The cell the current run's steps may replace. */
  private runTarget: string | null = null;
  private _stateChanged = new Signal<this, void>(this);
  private _messagesChanged = new Signal<this, MessagesChange>(this);
  private _stepSucceeded = new Signal<this, IStepMessage>(this);
}

/** The state a run's end leaves the panel in. */
const DONE_STATES: Readonly<Record<IDoneEvent['status'], RunState>> = {
  answered: 'idle',
  no_answer: 'idle',
  stopped: 'stopped',
  failed: 'error'
};

/** What a run took, in one line: "2 turn(s), 1 step(s), 4.2 s, 1,830 tokens in / 61 out". */
export function figuresText(figures: IFiguresEvent): string {
  // A provider that reports no usage leaves the prompt's tokens unknown, never 0.
  const tokensIn =
    figures.tokens_in === null ? 'unknown' : figures.tokens_in.toLocaleString('en-US');
  const tokens = `${tokensIn} tokens in / ${figures.tokens_out.toLocaleString('en-US')} out`;
  return `${figures.turns} turn(s), ${figures.steps} step(s), ${figures.seconds.toFixed(1)} s, ${tokens}`;
}
