/**
 * Putting an executed step into the notebook: a code cell below the active
 * one, with the step's outputs, so the notebook is the record.
 */
import { isCodeCellModel } from '@jupyterlab/cells';
import { Notebook, NotebookActions } from '@jupyterlab/notebook';

import { IStepResult } from './model';

/** Insert ``result`` below the active cell; throws if the notebook will not take it. */
export function insertStepBelow(notebook: Notebook, result: IStepResult): void {
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') {
    NotebookActions.changeCellType(notebook, 'code');
  }
  const model = notebook.activeCell?.model;
  if (!model || !isCodeCellModel(model)) {
    throw new Error('the new cell is not a code cell');
  }
  const shared = model.sharedModel;
  shared.transact(() => {
    shared.setSource(result.code);
    shared.setOutputs(result.outputs);
    shared.execution_count = result.executionCount;
  });
}
