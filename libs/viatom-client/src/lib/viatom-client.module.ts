import { type DynamicModule, Module } from '@nestjs/common';
import { HttpModule } from '@nestjs/axios';
import { viatomHttpModuleOptions } from './http-transport';
import { ViatomClient } from './viatom-client';
import {
  VIATOM_CLIENT_ASYNC_OPTIONS_TYPE,
  VIATOM_CLIENT_OPTIONS,
  VIATOM_CLIENT_OPTIONS_TYPE,
  ViatomClientConfigurableModule,
  type ViatomClientOptions,
} from './viatom-client.options';

/** Holds one `forRoot`'s options, so that the client and its `HttpModule` both inject them. */
@Module({})
class ViatomClientOptionsHost {}

/**
 * `ViatomClientModule.forRoot({ baseUrl, secret, accessToken })` or `forRootAsync(...)`
 * provides `ViatomClient`, with an `HttpModule` (its own axios instance) configured from the
 * same options (proxy, agents). Global by default (`isGlobal: false` to scope it).
 */
@Module({
  providers: [ViatomClient],
  exports: [ViatomClient],
})
export class ViatomClientModule extends ViatomClientConfigurableModule {
  static override forRoot(options: typeof VIATOM_CLIENT_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRoot(options));
  }

  static override forRootAsync(options: typeof VIATOM_CLIENT_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRootAsync(options));
  }
}

/**
 * Moves the options' providers (and the imports an async factory needs) into one host module,
 * imported both by the client's module and by its HttpModule: the options are made once.
 */
function withHttpModule(definition: DynamicModule): DynamicModule {
  const options: DynamicModule = {
    module: ViatomClientOptionsHost,
    imports: definition.imports,
    providers: definition.providers,
    exports: [VIATOM_CLIENT_OPTIONS],
  };
  const http = HttpModule.registerAsync({
    imports: [options],
    inject: [VIATOM_CLIENT_OPTIONS],
    useFactory: (clientOptions: ViatomClientOptions) => viatomHttpModuleOptions(clientOptions),
  });
  return { ...definition, imports: [options, http], providers: [] };
}
