import type * as nbformat from '@jupyterlab/nbformat';
import { defaultRenderMime } from '@jupyterlab/testutils';
import { Cell, CodeCellModel } from '@jupyterlab/cells';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { followActiveOutputs } from '../src/cell-actions';

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
function fixRun(
  id = '',
  step: nbformat.IOutput[] = [],
  invented: string[] = [],
  code = FIXED
): ServerEvent[] {
  return [
    { type: 'state', running: true },
    { type: 'question', text: 'Fix the error in this cell.', ask_id: id },
    { type: 'context', cells: [CONTEXT] },
    { type: 'running', step: 1, code, explanation: '' },
    {
      type: 'step',
      step: 1,
      code,
      status: 'ok',
      outputs: step,
      execution_count: 3,
      note: '',
      invented
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
        ask_id: expect.any(String),
        notebook_code: []
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
      onInsert: step => model.markPlaced(step, 'inserted'),
      onReplace: step => replaced.push([step.target!, step.result!])
    });
    Widget.attach(list, document.body);
    return [model, replaced, sent];
  }

  function fix(model: ChatModel, sent: ClientRequest[], invented: string[] = []): void {
    model.ask('Fix it', null, true, [CONTEXT], 'cell-1', ['y = 2', FAILING]);
    for (const event of fixRun(askId(sent), [], invented)) {
      model.apply(event);
    }
  }

  it('offer Replace cell on the fixed step', () => {
    const [model, replaced, sent] = setUp();
    fix(model, sent);
    expect((sent[0] as { notebook_code: string[] }).notebook_code).toEqual([
      'y = 2',
      FAILING
    ]);
    expect(document.querySelector('.sciwand-message-context')!.textContent).toContain(
      'ZeroDivisionError: division by zero'
    );
    expect(document.querySelector('.sciwand-step-note')).toBeNull();
    document.querySelector<HTMLButtonElement>('.sciwand-replace-cell')!.click();
    expect(replaced).toHaveLength(1);
    expect(replaced[0][0]).toBe('cell-1');
    expect(replaced[0][1].code).toBe(FIXED);
  });

  it('offer no Replace for a fix that makes up its data, and ask where the data comes from', () => {
    const [model, replaced, sent] = setUp();
    fix(model, sent, ['values']);
    expect(steps(model)[0].invented).toEqual(['values']);
    expect(document.querySelector('.sciwand-replace-cell')).toBeNull();
    const note = document.querySelector('.sciwand-step-note')!.textContent!;
    expect(note).toContain('values');
    expect(note).toContain('not in the notebook');
    expect(note).toContain('Where does the data come from?');
    expect(replaced).toEqual([]);
  });

  it('turn Replace and Insert into a spent mark once the step is in the notebook', () => {
    const [model, , sent] = setUp();
    fix(model, sent);
    model.markPlaced(steps(model)[0], 'replaced');
    expect(document.querySelector('.sciwand-replace-cell')).toBeNull();
    expect(document.querySelector('.sciwand-insert-step')).toBeNull();
    const placed = document.querySelector<HTMLButtonElement>('.sciwand-placed')!;
    expect(placed.textContent).toBe('Replaced ✓');
    expect(placed.disabled).toBe(true);
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

describe('following the active cell’s outputs (the Fix button)', () => {
  class Tracker {
    activeCell: Cell | null = null;
    readonly activeCellChanged = new Signal<this, Cell | null>(this);

    activate(cell: Cell | null): void {
      this.activeCell = cell;
      this.activeCellChanged.emit(cell);
    }
  }

  function cell(model = new CodeCellModel()): Cell {
    return { isDisposed: false, model } as unknown as Cell;
  }

  it('notices a cell run in place: it stays active while its outputs change', () => {
    const tracker = new Tracker();
    const failing = cell();
    tracker.activeCell = failing;
    let changes = 0;
    followActiveOutputs(tracker, () => changes++);
    expect(changes).toBe(1);
    (failing.model as CodeCellModel).outputs.add(ERROR); // Ctrl+Enter: its error arrives
    expect(changes).toBe(2);
  });

  it('goes on after the cell it watched is gone with its model', () => {
    const tracker = new Tracker();
    const deleted = cell();
    const next = cell();
    let changes = 0;
    followActiveOutputs(tracker, () => changes++);
    tracker.activate(deleted);
    deleted.model.dispose(); // its outputs are null now
    expect(() => tracker.activate(next)).not.toThrow();
    const before = changes;
    (next.model as CodeCellModel).outputs.add(ERROR);
    expect(changes).toBe(before + 1);
    tracker.activate(null);
    expect(changes).toBe(before + 2);
  });
});
