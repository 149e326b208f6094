import { defaultRenderMime } from '@jupyterlab/testutils';
import { Widget } from '@lumino/widgets';

import { ChatInput } from '../src/controls';
import { MessageList } from '../src/message-list';
import { ChatModel } from '../src/model';
import { ClientRequest } from '../src/protocol';

const CODE = 'print(dose_mg * 2)';

function setUp(): [ChatModel, ClientRequest[], HTMLElement] {
  const model = new ChatModel();
  const sent: ClientRequest[] = [];
  model.reset('waiting-for-kernel');
  model.transport = { send: request => sent.push(request) > 0 };
  const list = new MessageList({
    model,
    rendermime: defaultRenderMime(),
    onInsert: () => undefined,
    onReplace: () => undefined
  });
  const input = new ChatInput({
    model,
    onSend: question => model.ask(question, null, true)
  });
  Widget.attach(list, document.body);
  Widget.attach(input, document.body);
  return [model, sent, document.body];
}

function click(root: HTMLElement, selector: string): void {
  (root.querySelector(selector) as HTMLButtonElement).click();
}

describe('the panel views', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('say what the panel waits for until the first message', () => {
    const [model, , root] = setUp();
    const placeholder = () =>
      root.querySelector('.sciwand-placeholder')?.textContent;
    expect(placeholder()).toBe('Waiting for the notebook’s kernel…');
    model.setConnection('connecting', '', 'dosing.ipynb');
    expect(placeholder()).toBe('Ask a question about dosing.ipynb.');
    model.apply({ type: 'question', text: 'Twice the dose?', ask_id: '' });
    expect(placeholder()).toBeUndefined();
  });

  it('send the edited code of a proposal, then retire its buttons', () => {
    const [model, sent, root] = setUp();
    model.setConnection('connected', '', 'dosing.ipynb');
    model.apply({ type: 'state', running: true });
    model.apply({ type: 'question', text: 'Twice the dose?', ask_id: '' });
    model.apply({ type: 'proposed', step: 1, code: CODE, needs_approval: true, explanation: '' });
    const step = root.querySelector('.sciwand-message-step')!;
    expect(step.querySelector('.sciwand-step-status')!.textContent).toBe(
      'awaiting approval'
    );
    expect(root.querySelector<HTMLButtonElement>('.sciwand-stop')!.hidden).toBe(
      false
    );

    click(root, '.sciwand-edit-step');
    root.querySelector<HTMLTextAreaElement>('.sciwand-step-editor')!.value =
      'print(dose_mg * 3)';
    click(root, '.sciwand-run-step');
    expect(sent).toEqual([
      { type: 'decision', step: 1, action: 'run', code: 'print(dose_mg * 3)' }
    ]);
    expect(
      root.querySelector<HTMLButtonElement>('.sciwand-run-step')!.disabled
    ).toBe(true);

    model.apply({ type: 'done', status: 'stopped' });
    expect(step.classList).toContain('sciwand-step-expired');
    expect(step.querySelector('.sciwand-run-step')).toBeNull();
    expect(root.querySelector<HTMLButtonElement>('.sciwand-stop')!.hidden).toBe(
      true
    );
  });

  it('show an executed step with its count and an Insert button', () => {
    const [model, , root] = setUp();
    model.apply({ type: 'question', text: 'Twice the dose?', ask_id: '' });
    model.apply({
      type: 'step',
      step: 1,
      code: CODE,
      status: 'ok',
      outputs: [{ output_type: 'stream', name: 'stdout', text: '42\n' }],
      execution_count: 7,
      note: '',
      invented: []
    });
    const step = root.querySelector('.sciwand-message-step')!;
    expect(step.querySelector('.sciwand-step-status')!.textContent).toBe('ok [7]');
    expect(step.querySelector('.sciwand-step-outputs')!.textContent).toContain(
      '42'
    );
    expect(step.querySelector('.sciwand-insert-step')).not.toBeNull();
  });

  it('show an auto-inserted step as inserted, with no Insert to put it in twice', () => {
    const [model, sent, root] = setUp();
    model.setConnection('connected', '', 'dosing.ipynb');
    // As the panel does with auto-insert on: the step that ran goes into the notebook.
    model.stepSucceeded.connect((_, step) => model.markPlaced(step, 'inserted'));
    model.ask('Twice the dose?', null, false);
    const ask_id = (sent[0] as { ask_id: string }).ask_id;
    model.apply({ type: 'state', running: true });
    model.apply({ type: 'question', text: 'Twice the dose?', ask_id });
    model.apply({
      type: 'step',
      step: 1,
      code: CODE,
      status: 'ok',
      outputs: [],
      execution_count: 7,
      note: '',
      invented: []
    });
    const step = root.querySelector('.sciwand-message-step')!;
    expect(step.querySelector('.sciwand-insert-step')).toBeNull();
    const placed = step.querySelector<HTMLButtonElement>('.sciwand-placed')!;
    expect(placed.textContent).toBe('Inserted ✓');
    expect(placed.disabled).toBe(true);
  });
});
