/**
 * Notebook cells as the context of a question (Fix, Explain, the selected
 * cells): the cell's code, its outputs' text and its traceback's tail, cut
 * short, since the whole of it goes to the model and into the history.
 */
import { ICellModel, isCodeCellModel } from '@jupyterlab/cells';
import type * as nbformat from '@jupyterlab/nbformat';

import { ICellContext } from './protocol';

/** Characters of a cell's code sent. */
export const CODE_CHARS = 4000;
/** Lines of a traceback sent: its end, where the failing line and the error are. */
export const TRACEBACK_LINES = 12;
/** Characters of a cell's output text sent: its end. */
export const OUTPUT_CHARS = 1500;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function isError(output: nbformat.IOutput): output is nbformat.IError {
  return output.output_type === 'error';
}

/** The first error among a cell's outputs, if it raised one. */
export function cellError(
  outputs: readonly nbformat.IOutput[]
): nbformat.IError | undefined {
  return outputs.find(isError);
}

/** The error's last line, as Python prints it: "ZeroDivisionError: division by zero". */
export function errorLine(error: nbformat.IError): string {
  return error.evalue ? `${error.ename}: ${error.evalue}` : error.ename;
}

/** The traceback's last lines without colour codes (the error line if there is no traceback). */
export function tracebackTail(error: nbformat.IError): string {
  const lines = stripAnsi((error.traceback ?? []).join('\n')).split('\n');
  const tail = lines.slice(-TRACEBACK_LINES).join('\n').trim();
  return tail || errorLine(error);
}

/** The text of a cell's streams and plain-text results, its end kept. */
export function outputText(outputs: readonly nbformat.IOutput[]): string {
  const parts: string[] = [];
  for (const output of outputs) {
    if (output.output_type === 'stream') {
      parts.push(joined((output as nbformat.IStream).text));
    } else if (
      output.output_type === 'execute_result' ||
      output.output_type === 'display_data'
    ) {
      const plain = (output as nbformat.IDisplayData).data['text/plain'];
      if (plain !== undefined) {
        parts.push(joined(plain as nbformat.MultilineString));
      }
    }
  }
  const text = stripAnsi(parts.join('\n')).trim();
  return text.length > OUTPUT_CHARS ? '…' + text.slice(-OUTPUT_CHARS) : text;
}

/** A cell as a question's context. */
export function cellContext(
  code: string,
  outputs: readonly nbformat.IOutput[]
): ICellContext {
  const error = cellError(outputs);
  return {
    code:
      code.length > CODE_CHARS ? code.slice(0, CODE_CHARS) + '\n# … (cut)' : code,
    outputs: outputText(outputs),
    error: error ? tracebackTail(error) : ''
  };
}

/** The outputs a notebook cell holds (none for Markdown and raw cells). */
export function cellOutputs(model: ICellModel): nbformat.IOutput[] {
  return isCodeCellModel(model) ? model.outputs.toJSON() : [];
}

/** Characters of the notebook's code sent with a question, all cells together. */
export const NOTEBOOK_CHARS = 200_000;

/**
 * The code of a notebook's code cells, as the server reads it to tell the
 * data the user gave from data a step makes up; cut at `NOTEBOOK_CHARS`.
 */
export function notebookCode(models: readonly ICellModel[]): string[] {
  const code: string[] = [];
  let left = NOTEBOOK_CHARS;
  for (const model of models) {
    if (model.type !== 'code' || left <= 0) {
      continue;
    }
    const source = model.sharedModel.getSource().slice(0, left);
    left -= source.length;
    if (source.trim()) {
      code.push(source);
    }
  }
  return code;
}

/** A notebook cell, as it is now, as a question's context. */
export function contextOfCell(model: ICellModel): ICellContext {
  return cellContext(model.sharedModel.getSource(), cellOutputs(model));
}

function joined(text: nbformat.MultilineString): string {
  return Array.isArray(text) ? text.join('') : text;
}
