/**
 * The user's choices that outlive a page: approval mode, auto-insert and
 * inline completion.
 * Kept in JupyterLab's settings when the registry has the plugin's schema,
 * else (approval only) in the browser's local storage; the server's
 * configuration gives the defaults.
 */
import { ISettingRegistry } from '@jupyterlab/settingregistry';

const APPROVAL_KEY = 'sciwand-lab:approval';

export class Preferences {
  constructor(readonly settings: ISettingRegistry.ISettings | null) {}

  /** The remembered approval choice, or null for the server's default. */
  get approval(): boolean | null {
    if (this.settings) {
      const value = this.settings.get('approval').composite;
      return typeof value === 'boolean' ? value : null;
    }
    const stored = window.localStorage.getItem(APPROVAL_KEY);
    return stored === null ? null : stored === 'true';
  }

  saveApproval(value: boolean): void {
    if (this.settings) {
      this.settings.set('approval', value).catch(error => {
        console.warn('sciwand: could not save the approval setting', error);
      });
    } else {
      window.localStorage.setItem(APPROVAL_KEY, String(value));
    }
  }

  /** Insert each successful step into the notebook, or ``fallback`` (the server's choice) if unset. */
  autoInsert(fallback: boolean): boolean {
    const value = this.settings?.get('autoInsert').composite;
    return typeof value === 'boolean' ? value : fallback;
  }

  /** Suggest code in the notebook's cells as the user types (on unless the setting says false). */
  get inlineCompletion(): boolean {
    return this.settings?.get('inlineCompletion').composite !== false;
  }
}
