/** The app status (versions, data dir, tfjs backend, capabilities), loaded once at start. */
import type { AppStatus } from '$contract/api';
import { api, watchConnection, type ConnectionState } from '../api';
import { describeError } from './errors.svelte';

class StatusStore {
  value = $state<AppStatus | null>(null);
  loading = $state(false);
  loadError = $state<ReturnType<typeof describeError> | null>(null);
  connection = $state<ConnectionState>('connecting');

  async load(): Promise<AppStatus | null> {
    this.loading = true;
    this.loadError = null;
    try {
      this.value = await api.getStatus();
    } catch (error) {
      this.loadError = describeError(error);
    } finally {
      this.loading = false;
    }
    return this.value;
  }

  /** Follows the event channel; returns the unsubscribe function. */
  watch(): () => void {
    return watchConnection((state) => {
      this.connection = state;
    });
  }
}

export const status = new StatusStore();
