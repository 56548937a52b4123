import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ViatomLanguage } from './wire';

/** How to reach Viatom's open API. Plain values: the app reads them from its configuration. */
export interface ViatomClientOptions {
  /** Viatom's host, e.g. `https://open.viatomtech.com.cn` (or the sandbox's URL). */
  baseUrl: string;
  /** The `secret` issued by Lepu/Viatom. Never logged. */
  secret: string;
  /** The health-archive business line's `access-token`. Never logged. */
  accessToken: string;
  /** Default `language` header; a call may override it. Default `zh-CN`. */
  language?: ViatomLanguage;
  /** Deadline of a whole call, in milliseconds. Default 10000. */
  timeoutMs?: number;
}

export const DEFAULT_VIATOM_TIMEOUT_MS = 10_000;

export const {
  ConfigurableModuleClass: ViatomClientConfigurableModule,
  MODULE_OPTIONS_TOKEN: VIATOM_CLIENT_OPTIONS,
  OPTIONS_TYPE: VIATOM_CLIENT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: VIATOM_CLIENT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ViatomClientOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
