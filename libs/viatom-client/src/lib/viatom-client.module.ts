import { Module } from '@nestjs/common';
import { ViatomClient } from './viatom-client';
import { ViatomClientConfigurableModule } from './viatom-client.options';

/**
 * `ViatomClientModule.forRoot({ baseUrl, secret, accessToken })` or `forRootAsync(...)`
 * provides `ViatomClient`. Global by default (`isGlobal: false` to scope it).
 */
@Module({
  providers: [ViatomClient],
  exports: [ViatomClient],
})
export class ViatomClientModule extends ViatomClientConfigurableModule {}
