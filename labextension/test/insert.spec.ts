import { CodeCellModel } from '@jupyterlab/cells';

import { RAISES_EXCEPTION, writeStep } from '../src/insert';

const error = {
  output_type: 'error',
  ename: 'NameError',
  evalue: "name 'x' is not defined",
  traceback: []
};

describe('writeStep', () => {
  it('tags a failed step so that the notebook runs on past it', () => {
    const cell = new CodeCellModel();
    cell.setMetadata('tags', ['keep']);
    writeStep(cell, { code: 'x', status: 'error', outputs: [error], executionCount: 3 });
    expect(cell.sharedModel.getSource()).toBe('x');
    expect(cell.executionCount).toBe(3);
    expect(cell.getMetadata('tags')).toEqual(['keep', RAISES_EXCEPTION]);
  });

  it('untags a cell a successful step replaces', () => {
    const cell = new CodeCellModel();
    writeStep(cell, { code: 'x', status: 'error', outputs: [error], executionCount: 1 });
    writeStep(cell, { code: 'x = 1', status: 'ok', outputs: [], executionCount: 2 });
    expect(cell.getMetadata('tags')).toBeUndefined();
    expect(cell.outputs.length).toBe(0);
  });

  it('leaves a cell that does not look edited since it ran', () => {
    const cell = new CodeCellModel();
    const output = { output_type: 'stream', name: 'stdout', text: '2\n' };
    writeStep(cell, { code: 'print(2)', status: 'ok', outputs: [output], executionCount: 4 });
    expect(cell.isDirty).toBe(false);
    cell.sharedModel.setSource('print(3)'); // the user's own edit does
    expect(cell.isDirty).toBe(true);
  });

  it('is taken back whole by the cell’s undo', () => {
    const cell = new CodeCellModel();
    cell.sharedModel.setSource('x = 1 / 0');
    cell.sharedModel.setOutputs([error]);
    cell.sharedModel.clearUndoHistory();
    writeStep(cell, { code: 'x = 1 / 1', status: 'ok', outputs: [], executionCount: 5 });
    expect(cell.sharedModel.canUndo()).toBe(true);
    cell.sharedModel.undo();
    expect(cell.sharedModel.getSource()).toBe('x = 1 / 0');
    expect(cell.outputs.length).toBe(1);
    cell.sharedModel.redo();
    expect(cell.sharedModel.getSource()).toBe('x = 1 / 1');
  });
});
