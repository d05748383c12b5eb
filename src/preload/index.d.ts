import type { LabApi } from '../shared/api';

declare global {
  /** The preload's API, present only inside the Electron window. */
  interface Window {
    balancerLab?: LabApi;
  }
}

export {};
