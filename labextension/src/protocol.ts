// Generated from the dataclasses of assistant/lab/protocol.py: do not edit. Regenerate with
//   python -m assistant.lab.protocol_schema --typescript > labextension/src/protocol.ts
import type * as nbformat from '@jupyterlab/nbformat';

/**
 * Whether a question is running in the kernel: sent as a socket opens, and as
 * a run starts and ends.
 */
export interface IStateEvent {
  type: 'state';
  running: boolean;
}

/**
 * A run began with this question (asked in this tab or another: `ask_id` names
 * the asking request).
 */
export interface IQuestionEvent {
  type: 'question';
  text: string;
  ask_id: string;
}

/**
 * The notebook cells the question just asked is about: shown with it, and
 * given to the model with it.
 */
export interface IContextEvent {
  type: 'context';
  cells: ICellContext[];
}

/**
 * A piece of the model's reply as it streams (shown live, not kept in the
 * history).
 */
export interface ITokenEvent {
  type: 'token';
  text: string;
}

/**
 * A step's code awaits the user's decision (Run, Edit, Skip) before it runs;
 * `explanation` is the model's text around the code, the reason it gives for
 * the step.
 */
export interface IProposedEvent {
  type: 'proposed';
  step: number;
  code: string;
  needs_approval: boolean;
  explanation: string;
}

/**
 * A step's code is running in the kernel (or queued behind a busy notebook
 * cell: see `KernelEvent`).
 */
export interface IRunningEvent {
  type: 'running';
  step: number;
  code: string;
  explanation: string;
}

/**
 * The run waits for the notebook's kernel, busy with a cell of its own
 * (`busy`), or goes on (shown live).
 */
export interface IKernelEvent {
  type: 'kernel';
  busy: boolean;
}

/**
 * An output of the running `step`, as the kernel sends it (shown live; the
 * step's end carries them all).
 */
export interface IOutputEvent {
  type: 'output';
  step: number;
  output: nbformat.IOutput;
}

/**
 * A step ended: it ran (ok or error, with its outputs) or the user skipped it
 * (no outputs, no count). `note` says what a timeout or a crash of the kernel
 * did, and what the recovery restored ("" if nothing). `invented` names what
 * the code sets to data typed out in it that neither the notebook nor the
 * question shows (`values = [3, 5]`): made-up data, so the panel does not
 * offer the step in place of a cell.
 */
export interface IStepEvent {
  type: 'step';
  step: number;
  code: string;
  status: 'ok' | 'error' | 'skipped';
  outputs: nbformat.IOutput[];
  execution_count: number | null;
  note: string;
  invented: string[];
}

/**
 * Something the user should know that is not an error: a recovery, or that the
 * run was stopped.
 */
export interface INoticeEvent {
  type: 'notice';
  text: string;
}

/**
 * The run's final answer in Markdown, or null when it ended without one.
 */
export interface IAnswerEvent {
  type: 'answer';
  text: string | null;
}

/**
 * What answering the question took: turns, executed steps, seconds and the
 * model's tokens.
 */
export interface IFiguresEvent {
  type: 'figures';
  turns: number;
  steps: number;
  seconds: number;
  tokens_in: number | null;
  tokens_out: number;
  context_used: number | null;
  context_window: number | null;
}

/**
 * A request refused, or a run that failed: the message says why.
 */
export interface IErrorEvent {
  type: 'error';
  message: string;
}

/**
 * The run is over, and how it ended.
 */
export interface IDoneEvent {
  type: 'done';
  status: 'answered' | 'no_answer' | 'stopped' | 'failed';
}

/**
 * Answer `question` in the notebook's kernel, with `model` (null: the server's
 * default). `notebook_code` is the code of the notebook's cells: the data a
 * step may take from it (see `StepEvent`).
 */
export interface IAskRequest {
  type: 'ask';
  question: string;
  model: string | null;
  approval: boolean;
  context: ICellContext[];
  ask_id: string;
  notebook_code: string[];
}

/**
 * The user's decision on the proposed `step`: run `code` (maybe edited; ""
 * keeps it), or skip it. Only the step waiting for a decision takes one: the
 * first decision wins, any other is refused.
 */
export interface IDecisionRequest {
  type: 'decision';
  step: number;
  action: 'run' | 'skip';
  code: string;
}

/**
 * Stop the running question: a pending proposal is dropped, a running step
 * interrupted.
 */
export interface IStopRequest {
  type: 'stop';
}

/**
 * `GET sciwand/config`: the models the panel offers (the default first) and
 * its default choices.
 */
export interface IConfig {
  models: string[];
  default_model: string | null;
  approval: boolean;
  auto_insert: boolean;
}

/**
 * `GET sciwand/history`: the events a notebook's panel showed, oldest first.
 */
export interface IHistory {
  path: string;
  events: ServerEvent[];
}

/**
 * `GET sciwand/variables`: the kernel's variables, newest first. `known` is
 * false when the kernel did not answer in time (busy with a cell) or could not
 * say (no sciwand in it): the list is then empty.
 */
export interface IVariables {
  variables: IVariable[];
  known: boolean;
}

/**
 * A notebook cell a question is about (Fix, Explain, the selected cells): its
 * code, its outputs' text and the tail of its traceback if it failed ("" for
 * none), trimmed by the panel.
 */
export interface ICellContext {
  code: string;
  outputs: string;
  error: string;
}

/**
 * A variable of the notebook's kernel, as the panel's `@` list shows it.
 */
export interface IVariable {
  name: string;
  description: string;
}

export type ServerEvent =
  | IStateEvent
  | IQuestionEvent
  | IContextEvent
  | ITokenEvent
  | IProposedEvent
  | IRunningEvent
  | IKernelEvent
  | IOutputEvent
  | IStepEvent
  | INoticeEvent
  | IAnswerEvent
  | IFiguresEvent
  | IErrorEvent
  | IDoneEvent;

export type ClientRequest =
  | IAskRequest
  | IDecisionRequest
  | IStopRequest;
