// The shop's workloads as the demo's cluster runs them: the services, a deploy's replicas and
// the version that takes traffic. Shared by the supervisor and its autoscaler.
import type { ChildProcess } from 'node:child_process';
import type { Manifest } from './manifest.js';

export const SHOP_SERVICES = ['web', 'cart', 'catalog', 'payments'] as const;
export type ShopService = (typeof SHOP_SERVICES)[number];

export interface Replica {
  child: ChildProcess;
  port: number;
}

/** A deploy's replicas with what started them, so the autoscaler can start more alike. */
export interface Staged {
  service: ShopService;
  tag: string;
  version: string;
  sha: string;
  /** The manifest at the tag, with the settings applied. */
  manifest: Manifest;
  tree: string;
  replicas: Replica[];
}

export interface Running extends Staged {
  /** When the proxy started sending traffic to this version. */
  liveAt: Date;
}
