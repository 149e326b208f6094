import { ChatModel, IStepMessage, IStepResult, NOT_CONNECTED, RunState } from '../src/model';
import { ClientRequest, ServerEvent } from '../src/protocol';

/** A transport that records what it sends, or refuses everything. */
class RecordingTransport {
  sent: ClientRequest[] = [];
  connected = true;

  send(request: ClientRequest): boolean {
    if (this.connected) {
      this.sent.push(request);
    }
    return this.connected;
  }
}

const CODE = 'print(dose_mg * 2)';
const OUTPUT = { output_type: 'stream', name: 'stdout', text: '42\n' };

/** A run with approval, as the server sends it. */
const APPROVED_RUN: ServerEvent[] = [
  { type: 'state', running: true },
  { type: 'question', text: 'Twice the dose?', ask_id: '' },
  { type: 'token', text: 'I will ' },
  { type: 'token', text: 'compute it.' },
  { type: 'proposed', step: 1, code: CODE, needs_approval: true, explanation: '' },
  { type: 'running', step: 1, code: CODE, explanation: '' },
  {
    type: 'step',
    step: 1,
    code: CODE,
    status: 'ok',
    outputs: [OUTPUT],
    execution_count: 4,
    note: '',
    invented: []
  },
  { type: 'answer', text: '**42 mg**' },
  {
    type: 'figures',
    turns: 2,
    steps: 1,
    seconds: 4.25,
    tokens_in: 1830,
    tokens_out: 61,
    context_used: 1200,
    context_window: null
  },
  { type: 'done', status: 'answered' },
  { type: 'state', running: false }
];

function connectedModel(): [ChatModel, RecordingTransport] {
  const model = new ChatModel();
  const transport = new RecordingTransport();
  model.reset('waiting-for-kernel');
  model.transport = transport;
  model.setConnection('connected', '', 'dosing.ipynb');
  return [model, transport];
}

/** The run states the model goes through while `events` are applied live. */
function statesThrough(model: ChatModel, events: ServerEvent[]): RunState[] {
  const states: RunState[] = [];
  model.stateChanged.connect(() => {
    if (states[states.length - 1] !== model.runState) {
      states.push(model.runState);
    }
  });
  for (const event of events) {
    model.apply(event);
  }
  return states;
}

function kinds(model: ChatModel): string[] {
  return model.messages.map(message => message.kind);
}

function onlyStep(model: ChatModel): IStepMessage {
  const steps = model.messages.filter(message => message.kind === 'step');
  expect(steps).toHaveLength(1);
  return steps[0] as IStepMessage;
}

describe('ChatModel', () => {
  it('goes through explicit states as a run with approval happens', () => {
    const [model] = connectedModel();
    expect(model.runState).toBe('idle');
    expect(statesThrough(model, APPROVED_RUN)).toEqual([
      'model-writing',
      'waiting-for-approval',
      'running-step',
      'model-writing',
      'idle'
    ]);
    expect(kinds(model)).toEqual(['question', 'step', 'answer', 'figures']);
    expect(onlyStep(model)).toMatchObject({
      status: 'ok',
      trusted: true,
      result: { code: CODE, executionCount: 4, outputs: [OUTPUT] }
    });
  });

  it('runs a step without approval straight from its proposal', () => {
    const [model] = connectedModel();
    const states = statesThrough(model, [
      { type: 'state', running: true },
      { type: 'question', text: 'Q', ask_id: '' },
      { type: 'proposed', step: 1, code: CODE, needs_approval: false, explanation: '' }
    ]);
    expect(states).toEqual(['model-writing', 'running-step']);
    expect(onlyStep(model).status).toBe('running');
  });

  it('shows streamed text as one thinking message until the step arrives', () => {
    const [model] = connectedModel();
    for (const event of APPROVED_RUN.slice(0, 4)) {
      model.apply(event);
    }
    expect(model.messages[1]).toEqual({
      kind: 'thinking',
      text: 'I will compute it.'
    });
    model.apply(APPROVED_RUN[4]);
    expect(kinds(model)).toEqual(['question', 'step']);
  });

  it('asks once, and a refusal makes it idle again', () => {
    const [model, transport] = connectedModel();
    expect(model.ask('  Twice the dose?  ', 'scripted:x', false)).toBe(true);
    expect(transport.sent).toEqual([
      {
        type: 'ask',
        question: 'Twice the dose?',
        model: 'scripted:x',
        approval: false,
        context: [],
        ask_id: expect.any(String),
        notebook_code: []
      }
    ]);
    expect(model.runState).toBe('asking');
    expect(model.ask('Another?', null, true)).toBe(false);
    expect(transport.sent).toHaveLength(1);

    model.apply({ type: 'error', message: 'a question is already running' });
    expect(model.runState).toBe('idle');
    expect(model.messages[model.messages.length - 1]).toEqual({
      kind: 'error',
      text: 'a question is already running'
    });
  });

  it('says it is not connected when a request cannot be sent', () => {
    const [model, transport] = connectedModel();
    transport.connected = false;
    expect(model.ask('Q', null, true)).toBe(false);
    expect(model.runState).toBe('idle');
    expect(model.messages).toEqual([{ kind: 'error', text: NOT_CONNECTED }]);
  });

  it('sends one decision for the open proposal, and none for a stale one', () => {
    const [model, transport] = connectedModel();
    for (const event of APPROVED_RUN.slice(0, 5)) {
      model.apply(event);
    }
    expect(model.decide(2, 'run', CODE)).toBe(false); // no such proposal
    expect(model.decide(1, 'run', 'print(1)')).toBe(true);
    expect(onlyStep(model).decided).toBe(true);
    expect(model.decide(1, 'skip', CODE)).toBe(false); // already decided
    expect(transport.sent).toEqual([
      { type: 'decision', step: 1, action: 'run', code: 'print(1)' }
    ]);

    // A second proposal the run ends before anyone decides: it expires.
    model.apply({ type: 'proposed', step: 2, code: 'x', needs_approval: true, explanation: '' });
    model.apply({ type: 'done', status: 'stopped' });
    const expired = model.messages.find(
      message => message.kind === 'step' && message.step === 2
    );
    expect(expired).toMatchObject({ status: 'expired' });
    expect(model.decide(2, 'run', 'x')).toBe(false);
    expect(transport.sent).toHaveLength(1);
  });

  it('sends Stop only while a question runs', () => {
    const [model, transport] = connectedModel();
    model.stop();
    model.apply({ type: 'state', running: true });
    model.stop();
    expect(transport.sent).toEqual([{ type: 'stop' }]);
  });

  it('replays a history into the same messages, untrusted and without side effects', () => {
    const [live] = connectedModel();
    for (const event of APPROVED_RUN) {
      live.apply(event);
    }
    const [replayed] = connectedModel();
    const succeeded: IStepResult[] = [];
    replayed.stepSucceeded.connect((_, step) => succeeded.push(step.result!));
    const transient = new Set(['state', 'token']);
    replayed.replay(APPROVED_RUN.filter(event => !transient.has(event.type)));

    expect(kinds(replayed)).toEqual(kinds(live));
    expect(onlyStep(replayed)).toMatchObject({ status: 'ok', trusted: false });
    expect(replayed.runState).toBe('idle');
    expect(succeeded).toEqual([]);
  });

  it('reports a live successful step once, for auto-insert, in the tab that asked', () => {
    const [model, transport] = connectedModel();
    const [watcher] = connectedModel(); // another tab of the same notebook
    const succeeded: IStepResult[] = [];
    const watched: IStepResult[] = [];
    model.stepSucceeded.connect((_, step) => succeeded.push(step.result!));
    watcher.stepSucceeded.connect((_, step) => watched.push(step.result!));
    model.ask('Twice the dose?', null, true);
    const asked = transport.sent[0] as { ask_id: string };
    const run = APPROVED_RUN.map(event =>
      event.type === 'question' ? { ...event, ask_id: asked.ask_id } : event
    );
    statesThrough(model, run);
    statesThrough(watcher, run);
    expect(watched).toEqual([]);
    model.apply({
      type: 'step',
      step: 2,
      code: '1/0',
      status: 'error',
      outputs: [],
      execution_count: 5,
      note: '',
      invented: []
    });
    expect(succeeded).toEqual([
      { code: CODE, status: 'ok', outputs: [OUTPUT], executionCount: 4 }
    ]);
  });

  it('keeps a replayed open proposal until the socket says whether its run goes on', () => {
    const [model, transport] = connectedModel();
    model.replay(APPROVED_RUN.slice(1, 5).filter(event => event.type !== 'token'));
    expect(model.runState).toBe('waiting-for-approval');

    model.apply({ type: 'state', running: true }); // another tab's run, still waiting
    expect(model.decide(1, 'run', CODE)).toBe(true);

    model.replay(APPROVED_RUN.slice(1, 5).filter(event => event.type !== 'token'));
    model.apply({ type: 'state', running: false }); // the server restarted: nobody waits
    expect(onlyStep(model).status).toBe('expired');
    expect(model.decide(1, 'run', CODE)).toBe(false);
    expect(transport.sent).toHaveLength(1);
  });

  it('ends the run state when the socket drops, and clears for another notebook', () => {
    const [model] = connectedModel();
    statesThrough(model, APPROVED_RUN.slice(0, 5));
    expect(model.isRunning).toBe(true);
    model.setConnection('disconnected', 'code 1006');
    expect(model.runState).toBe('idle');
    expect(model.canSend).toBe(false);

    model.reset('no-notebook');
    expect(model.messages).toEqual([]);
    expect(model.transport).toBeNull();
    expect(model.hasKernel).toBe(false);
  });

  it('shows what a run took in one line after its answer', () => {
    const [model] = connectedModel();
    statesThrough(model, APPROVED_RUN);
    expect(kinds(model).slice(-2)).toEqual(['answer', 'figures']);
    expect(model.messages[model.messages.length - 1]).toEqual({
      kind: 'figures',
      text: '2 turn(s), 1 step(s), 4.3 s, 1,830 tokens in / 61 out',
      contextUsed: 1200,
      contextWindow: null
    });
  });

  it('keeps the context figures for the gauge, none from history written before them', () => {
    const [model] = connectedModel();
    const figures = { type: 'figures', turns: 1, steps: 0, seconds: 1, tokens_in: 3100, tokens_out: 9 };
    model.apply({ ...figures, context_used: 3100, context_window: 8192 } as ServerEvent);
    model.apply(figures as unknown as ServerEvent);
    expect(model.messages.map(message => message.kind === 'figures' && message.contextWindow)).toEqual([
      8192,
      null
    ]);
  });

  it('waits for a busy kernel, then goes back to where the run was', () => {
    const [model] = connectedModel();
    const states = statesThrough(model, [
      { type: 'state', running: true },
      { type: 'question', text: 'Q', ask_id: '' },
      { type: 'kernel', busy: true },
      { type: 'kernel', busy: false },
      { type: 'running', step: 1, code: CODE, explanation: '' },
      { type: 'kernel', busy: true },
      { type: 'kernel', busy: false }
    ]);
    expect(states).toEqual([
      'model-writing',
      'waiting-for-kernel',
      'model-writing',
      'running-step',
      'waiting-for-kernel',
      'running-step'
    ]);
  });

  it('ends in stopped or error, from which a question can be asked', () => {
    for (const [status, state] of [
      ['stopped', 'stopped'],
      ['failed', 'error'],
      ['answered', 'idle']
    ] as const) {
      const [model, transport] = connectedModel();
      statesThrough(model, [
        { type: 'state', running: true },
        { type: 'question', text: 'Q', ask_id: '' },
        { type: 'done', status },
        { type: 'state', running: false }
      ]);
      expect(model.runState).toBe(state);
      expect(model.isRunning).toBe(false);
      expect(model.ask('Again?', null, true)).toBe(true);
      expect(transport.sent).toHaveLength(1);
    }
  });

  it('keeps the explanation and the streamed outputs with their step', () => {
    const [model] = connectedModel();
    for (const event of APPROVED_RUN.slice(0, 2)) {
      model.apply(event);
    }
    model.apply({ type: 'proposed', step: 1, code: CODE, needs_approval: true, explanation: 'Double it.' });
    model.apply({ type: 'running', step: 1, code: CODE, explanation: 'Double it.' });
    model.apply({ type: 'output', step: 1, output: OUTPUT });
    expect(onlyStep(model)).toMatchObject({
      explanation: 'Double it.',
      status: 'running',
      outputs: [OUTPUT],
      result: null
    });
  });

  it('sends a question asked while another tab’s run goes on, keeping it for the server to refuse', () => {
    const [model, transport] = connectedModel();
    model.apply({ type: 'state', running: true });
    expect(model.ask('Mine?', null, true)).toBe(false); // not taken: the text stays in the box
    expect(transport.sent).toMatchObject([{ type: 'ask', question: 'Mine?' }]);
    expect(model.runState).toBe('model-writing');
    model.apply({ type: 'error', message: 'a question is already running in this kernel' });
    expect(model.runState).toBe('model-writing');
    expect(kinds(model)).toEqual(['error']);
  });
});
