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
});
