/**
 * sciwand-lab: the sciwand chat panel in JupyterLab's right sidebar, and
 * inline completion in the notebook's code cells.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { ICompletionProviderManager } from '@jupyterlab/completer';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { addCellActions } from './cell-actions';
import { SciwandInlineProvider } from './completion';
import { wandIcon } from './icon';
import { ChatPanel } from './panel';
import { Preferences } from './preferences';

const PLUGIN_ID = 'sciwand-lab:plugin';

export const CommandIDs = {
  open: 'sciwand:open'
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'A chat panel that answers questions by running code in the notebook’s kernel.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ILayoutRestorer,
    IEditorLanguageRegistry
  ],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    languages: IEditorLanguageRegistry | null
  ): Promise<void> => {
    let settings: ISettingRegistry.ISettings | null = null;
    if (settingRegistry) {
      try {
        settings = await settingRegistry.load(PLUGIN_ID);
      } catch (error) {
        console.warn('sciwand: settings not loaded, using defaults', error);
      }
    }

    const panel = new ChatPanel({ rendermime, settings, languages });
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'sciwand-chat');

    panel.setNotebook(tracker.currentWidget);
    tracker.currentChanged.connect((_, notebook) => {
      panel.setNotebook(notebook);
    });

    app.commands.addCommand(CommandIDs.open, {
      label: 'Open sciwand chat',
      caption: 'Show the sciwand chat panel',
      icon: wandIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    palette?.addItem({ command: CommandIDs.open, category: 'sciwand' });
    addCellActions(app, tracker, panel);
  }
};

/**
 * sciwand's provider for JupyterLab's inline completer. It registers at
 * once, before JupyterLab reads its providers' settings (when the app is
 * restored), so its defaults (on) are in them; sciwand's `inlineCompletion`
 * setting turns it off.
 */
const inlineCompletion: JupyterFrontEndPlugin<void> = {
  id: 'sciwand-lab:inline-completion',
  description: 'Suggests code as you type in a notebook’s code cells, from sciwand’s model.',
  autoStart: true,
  requires: [ICompletionProviderManager, INotebookTracker],
  optional: [ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    manager: ICompletionProviderManager,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null
  ): void => {
    let preferences = new Preferences(null);
    const provider = new SciwandInlineProvider({
      isEnabled: () => preferences.inlineCompletion
    });
    manager.registerInlineProvider(provider);
    const warmUp = (notebook: NotebookPanel | null) => {
      if (notebook) {
        void provider.warmUp(notebook);
      }
    };
    const settingsLoaded = settingRegistry
      ? settingRegistry.load(PLUGIN_ID).then(
          settings => {
            preferences = new Preferences(settings);
          },
          error => console.warn('sciwand: settings not loaded, using defaults', error)
        )
      : Promise.resolve();
    // After JupyterLab has read its inline completer settings too (whether the user turned sciwand's provider off).
    void Promise.all([settingsLoaded, app.restored]).then(() => {
      warmUp(tracker.currentWidget);
      tracker.currentChanged.connect((_, notebook) => warmUp(notebook));
    });
  }
};

export default [plugin, inlineCompletion];
