import type * as nbformat from '@jupyterlab/nbformat';
import { defaultRenderMime } from '@jupyterlab/testutils';
import { Widget } from '@lumino/widgets';

import { CODE_CHARS, TRACEBACK_LINES, cellContext } from '../src/cells';
import { shortModelName } from '../src/controls';
import { MessageList } from '../src/message-list';
import { FOLD_CHARS } from '../src/messages';
import { ChatModel, IStepMessage, IStepResult } from '../src/model';
import { ClientRequest, ICellContext, ServerEvent } from '../src/protocol';

const FAILING = 'x = 1 / 0';
const FIXED = 'x = 1 / 1';
// As IPython sends it: colour codes, and the error line last.
const ERROR: nbformat.IError = {
  output_type: 'error',
  ename: 'ZeroDivisionError',
  evalue: 'division by zero',
  traceback: [
    '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
    ...Array.from({ length: 20 }, (_, i) => `frame ${i}`),
    '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero'
  ]
};
const CONTEXT: ICellContext = {
  code: FAILING,
  outputs: '',
  error: 'ZeroDivisionError: division by zero'
};

/** A Fix run as the server sends it for the ask `id`: the question, its cell, a step that ran. */
function fixRun(id = '', step: nbformat.IOutput[] = []): ServerEvent[] {
  return [
    { type: 'state', running: true },
    { type: 'question', text: 'Fix the error in this cell.', ask_id: id },
    { type: 'context', cells: [CONTEXT] },
    { type: 'running', step: 1, code: FIXED, explanation: '' },
    {
      type: 'step',
      step: 1,
      code: FIXED,
      status: 'ok',
      outputs: step,
      execution_count: 3,
      note: ''
    }
  ];
}

function connectedModel(): [ChatModel, ClientRequest[]] {
  const model = new ChatModel();
  const sent: ClientRequest[] = [];
  model.reset('waiting-for-kernel');
  model.transport = { send: request => sent.push(request) > 0 };
  model.setConnection('connected', '', 'dosing.ipynb');
  return [model, sent];
}

/** The id of the last question this tab sent. */
function askId(sent: ClientRequest[]): string {
  return (sent[sent.length - 1] as { ask_id: string }).ask_id;
}

function steps(model: ChatModel): IStepMessage[] {
  return model.messages.filter(
    (message): message is IStepMessage => message.kind === 'step'
  );
}

describe('a cell as a question’s context', () => {
  it('keeps the code, and the traceback’s end without colour codes', () => {
    const context = cellContext(FAILING, [
      { output_type: 'stream', name: 'stdout', text: 'before\n' },
      ERROR
    ]);
    expect(context.code).toBe(FAILING);
    expect(context.outputs).toBe('before');
    const lines = context.error.split('\n');
    expect(lines).toHaveLength(TRACEBACK_LINES);
    expect(lines[lines.length - 1]).toBe('ZeroDivisionError: division by zero');
    expect(context.error).not.toContain('\u001b');
  });

  it('cuts long code, and has no error for a cell that ran', () => {
    const context = cellContext('y = 1\n'.repeat(CODE_CHARS), []);
    expect(context.code.length).toBeLessThan(CODE_CHARS + 20);
    expect(context.error).toBe('');
  });
});

describe('a model’s short name', () => {
  it('is the last part of its name or path', () => {
    expect(shortModelName('scripted:/tmp/x/replies.json')).toBe('replies.json');
    expect(shortModelName('openai:gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(shortModelName('local')).toBe('local');
  });
});

describe('asking about cells', () => {
  it('sends the cells with the question, and shows them with it', () => {
    const [model, sent] = connectedModel();
    expect(model.ask('Fix it', null, true, [CONTEXT], 'cell-1')).toBe(true);
    expect(sent).toEqual([
      {
        type: 'ask',
        question: 'Fix it',
        model: null,
        approval: true,
        context: [CONTEXT],
        ask_id: expect.any(String)
      }
    ]);
    for (const event of fixRun(askId(sent))) {
      model.apply(event);
    }
    expect(model.messages[1]).toEqual({ kind: 'context', cells: [CONTEXT] });
    expect(steps(model)[0].target).toBe('cell-1');
  });

  it('lets only the steps of this tab’s Fix replace a cell', () => {
    const [model] = connectedModel();
    for (const event of fixRun()) {
      model.apply(event); // asked in another tab
    }
    expect(steps(model)[0].target).toBeNull();
    model.replay(fixRun());
    expect(steps(model)[0].target).toBeNull();
  });
});

describe('the views of a Fix', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  function setUp(): [ChatModel, [string, IStepResult][], ClientRequest[]] {
    const [model, sent] = connectedModel();
    const replaced: [string, IStepResult][] = [];
    const list = new MessageList({
      model,
      rendermime: defaultRenderMime(),
      onInsert: () => undefined,
      onReplace: (cellId, result) => replaced.push([cellId, result])
    });
    Widget.attach(list, document.body);
    return [model, replaced, sent];
  }

  it('offer Replace cell on the fixed step', () => {
    const [model, replaced, sent] = setUp();
    model.ask('Fix it', null, true, [CONTEXT], 'cell-1');
    for (const event of fixRun(askId(sent))) {
      model.apply(event);
    }
    expect(document.querySelector('.sciwand-message-context')!.textContent).toContain(
      'ZeroDivisionError: division by zero'
    );
    document.querySelector<HTMLButtonElement>('.sciwand-replace-cell')!.click();
    expect(replaced).toHaveLength(1);
    expect(replaced[0][0]).toBe('cell-1');
    expect(replaced[0][1].code).toBe(FIXED);
  });

  it('fold a step’s traceback to its error line until clicked', () => {
    const [model] = setUp();
    for (const event of fixRun('', [ERROR])) {
      model.apply(event);
    }
    expect(document.querySelector('.sciwand-replace-cell')).toBeNull();
    const traceback = document.querySelector('.sciwand-traceback')!;
    const toggle = traceback.querySelector<HTMLButtonElement>(
      '.sciwand-traceback-toggle'
    )!;
    expect(toggle.textContent).toBe('ZeroDivisionError: division by zero');
    expect(traceback.classList).not.toContain('sciwand-mod-expanded');
    toggle.click();
    expect(traceback.classList).toContain('sciwand-mod-expanded');
    expect(traceback.textContent).toContain('frame 19');
  });

  it('fold a long question, and unfold it on request', () => {
    const [model] = setUp();
    model.apply({ type: 'question', text: 'why '.repeat(FOLD_CHARS), ask_id: '' });
    const text = document.querySelector('.sciwand-question-text')!;
    expect(text.classList).toContain('sciwand-mod-folded');
    document.querySelector<HTMLButtonElement>('.sciwand-fold-toggle')!.click();
    expect(text.classList).not.toContain('sciwand-mod-folded');
  });
});
