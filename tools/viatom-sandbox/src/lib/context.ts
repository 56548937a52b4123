import type { FaultState } from './faults';
import type { PushSender } from './push-sender';
import type { OpenApiCall, SandboxPushSender } from './types';

/** What the routes share: the sandbox's state and a few services. */
export interface SandboxContext {
  readonly secret: string;
  readonly accessToken: string;
  readonly timeZone: string;
  readonly calls: OpenApiCall[];
  readonly authorizedPhones: Set<string>;
  readonly signs: Map<string, Date>;
  readonly faults: FaultState;
  readonly pusher: PushSender;
  /** The push scenarios, recording pushes as sent by the admin API. */
  readonly adminPushes: SandboxPushSender;
  readonly closing: boolean;
  nextCallId(): number;
  issueSign(): string;
  /** The base of consent-page links, without a trailing slash. */
  publicUrl(): string;
  /** The base URL it listens on (null before listen). */
  listeningUrl(): string | null;
  /** A timer released early when the sandbox closes. */
  delay(ms: number): Promise<void>;
}
