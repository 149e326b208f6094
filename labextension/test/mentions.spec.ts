import { Widget } from '@lumino/widgets';

import { ChatInput } from '../src/controls';
import { mentionAt, matching, withMention } from '../src/mentions';
import { contextGauge, FiguresMessage } from '../src/messages';
import { ChatModel } from '../src/model';
import { IVariables } from '../src/protocol';

const VARIABLES: IVariables = {
  known: true,
  variables: [
    { name: 'frame', description: 'DataFrame 3x2 (columns: dose, weight)' },
    { name: 'doses', description: 'list of 3 float' },
    { name: 'free_dose', description: 'float' }
  ]
};

describe('an @name in the question', () => {
  it('is found where the server reads one', () => {
    expect(mentionAt('Plot @fr', 8)).toEqual({ start: 5, end: 8, query: 'fr' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(mentionAt('Plot @frame now', 8)).toEqual({ start: 5, end: 11, query: 'fr' });
    expect(mentionAt('(@doses)', 7)).toEqual({ start: 1, end: 7, query: 'doses' });
    expect(mentionAt('mail me@lab.org', 8)).toBeNull(); // an e-mail address
    expect(mentionAt('obj.@x', 6)).toBeNull();
    expect(mentionAt('Plot @frame now', 13)).toBeNull(); // past the name
    expect(mentionAt('@1x', 3)).toBeNull();
  });

  it('is replaced by the chosen name and a space', () => {
    expect(withMention('Plot @fr', { start: 5, end: 8, query: 'fr' }, 'frame')).toEqual({
      text: 'Plot @frame ',
      caret: 12
    });
    expect(withMention('Plot @fr now', { start: 5, end: 8, query: 'fr' }, 'frame')).toEqual({
      text: 'Plot @frame now',
      caret: 12
    });
  });

  it('lists the names that start with what is typed first, then those that contain it', () => {
    expect(matching(VARIABLES.variables, 'DO').map(v => v.name)).toEqual(['doses', 'free_dose']);
    expect(matching(VARIABLES.variables, '').map(v => v.name)).toEqual(['frame', 'doses', 'free_dose']);
  });
});

/** A question box whose kernel has `variables` (the read waits until `release`). */
function setUp(variables: IVariables | Error = VARIABLES) {
  const model = new ChatModel();
  model.reset('waiting-for-kernel');
  model.setConnection('connected', '', 'dosing.ipynb');
  const sent: string[] = [];
  let reads = 0;
  let release: () => void = () => undefined;
  const input = new ChatInput({
    model,
    onSend: question => sent.push(question) > 0,
    fetchVariables: () => {
      reads += 1;
      return new Promise<IVariables>((resolve, reject) => {
        release = () => (variables instanceof Error ? reject(variables) : resolve(variables));
      });
    }
  });
  Widget.attach(input, document.body);
  const box = input.node.querySelector<HTMLTextAreaElement>('.sciwand-input')!;
  const list = input.node.querySelector<HTMLElement>('.sciwand-mentions')!;
  const type = (text: string) => {
    box.value = text;
    box.setSelectionRange(text.length, text.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const press = (key: string) => {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    box.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const names = () =>
    [...list.querySelectorAll('.sciwand-mention-name')].map(node => node.textContent);
  const selected = () => list.querySelector('.sciwand-mod-selected .sciwand-mention-name')?.textContent;
  const answer = async () => {
    release();
    await new Promise(resolve => setTimeout(resolve, 0));
  };
  return { box, list, type, press, names, selected, answer, sent, reads: () => reads };
}

describe('the @ list', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('lists the kernel’s variables with type and size, and Enter puts the chosen @name in the question', async () => {
    const { box, list, type, press, names, selected, answer, sent } = setUp();
    expect(list.hidden).toBe(true);
    type('Plot @');
    expect(list.hidden).toBe(false);
    expect(list.textContent).toBe('Reading the kernel’s variables…');
    await answer();
    expect(names()).toEqual(['frame', 'doses', 'free_dose']);
    expect(list.querySelector('.sciwand-mention-description')!.textContent).toBe(
      'DataFrame 3x2 (columns: dose, weight)'
    );
    expect(selected()).toBe('frame');
    press('ArrowDown');
    press('ArrowDown');
    expect(selected()).toBe('free_dose');
    press('ArrowDown'); // round to the first
    expect(selected()).toBe('frame');
    press('ArrowUp');
    expect(selected()).toBe('free_dose');
    expect(press('Enter')).toBe(true);
    expect(box.value).toBe('Plot @free_dose ');
    expect(box.selectionStart).toBe(box.value.length);
    expect(list.hidden).toBe(true);
    expect(sent).toEqual([]); // Enter chose; it did not send
    press('Enter');
    expect(sent).toEqual(['Plot @free_dose ']);
  });

  it('narrows as the name is typed, Tab chooses, Escape closes', async () => {
    const { box, list, type, press, names, answer, reads, sent } = setUp();
    type('Compare @');
    await answer();
    type('Compare @do');
    expect(names()).toEqual(['doses', 'free_dose']);
    expect(press('Tab')).toBe(true);
    expect(box.value).toBe('Compare @doses ');
    type('Compare @doses and @f');
    expect(reads()).toBe(2); // read afresh each time the list opens
    await answer();
    expect(names()).toEqual(['frame', 'free_dose']);
    expect(press('Escape')).toBe(true);
    expect(list.hidden).toBe(true);
    expect(box.value).toBe('Compare @doses and @f');
    type('Compare @doses and @fx');
    await answer();
    expect(list.textContent).toBe('No variable named like “fx”.');
    press('Enter'); // nothing to choose: Enter sends
    expect(sent).toEqual(['Compare @doses and @fx']);
  });

  it('says when the kernel is busy, or the list cannot be read', async () => {
    const busy = setUp({ variables: [], known: false });
    busy.type('@');
    await busy.answer();
    expect(busy.list.textContent).toContain('The kernel is busy');
    document.body.replaceChildren();
    const failing = setUp(new Error('sciwand/variables: 404 Not Found'));
    failing.type('@');
    await failing.answer();
    expect(failing.list.textContent).toBe(
      'Could not read the kernel’s variables: sciwand/variables: 404 Not Found'
    );
  });
});

describe('the context gauge', () => {
  it('shows the context used against the model’s window', () => {
    const gauge = contextGauge(3100, 8192)!;
    expect(gauge.querySelector('.sciwand-context-text')!.textContent).toBe('3,100 / 8,192 tokens');
    expect(gauge.title).toContain('3,100 of its 8,192-token window (38%)');
    expect(gauge.querySelector<HTMLElement>('.sciwand-context-fill')!.style.width).toBe('37.8%');
    expect(gauge.querySelector('[role="meter"]')!.getAttribute('aria-valuenow')).toBe('3100');
    expect(gauge.classList).not.toContain('sciwand-mod-full');
    expect(contextGauge(8000, 8192)!.classList).toContain('sciwand-mod-full');
  });

  it('is left out when the window or the usage is unknown', () => {
    expect(contextGauge(3100, null)).toBeNull();
    expect(contextGauge(null, 8192)).toBeNull();
    const text = '1 turn(s), 0 step(s), 1.0 s, unknown tokens in / 12 out';
    const remote = new FiguresMessage({ kind: 'figures', text, contextUsed: 900, contextWindow: null });
    expect(remote.node.textContent).toBe(text);
    expect(remote.node.querySelector('.sciwand-context')).toBeNull();
    const embedded = new FiguresMessage({ kind: 'figures', text, contextUsed: 900, contextWindow: 8192 });
    expect(embedded.node.querySelector('.sciwand-context-text')!.textContent).toBe('900 / 8,192 tokens');
  });
});
