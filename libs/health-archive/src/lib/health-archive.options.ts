import { ConfigurableModuleBuilder } from '@nestjs/common';

/** What a host app may tune in the archive. Every field has a default. */
export interface HealthArchiveOptions {
  /**
   * How far ahead of the clock here a push's source time may be and still be believed when
   * pushes are ordered (default 10 minutes). A push dated further ahead is ordered by the time
   * it was received, so a wrong clock at the sender cannot let it outlive later changes.
   */
  maxClockSkewMs?: number;
}

export const {
  ConfigurableModuleClass: HealthArchiveConfigurableModule,
  MODULE_OPTIONS_TOKEN: HEALTH_ARCHIVE_OPTIONS,
} = new ConfigurableModuleBuilder<HealthArchiveOptions>().setClassMethodName('forRoot').build();
