import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test, type TestingModule } from '@nestjs/testing';
import { HealthArchiveModule } from '@health-bridge/health-archive';
import { createTestDatabase, HEALTH_ARCHIVE_DATA_SOURCE, OpenedResources, type TestDatabaseTarget } from '@health-bridge/health-archive/testing';
// The archive's cancel calls Viatom, so its module needs a client; nothing here calls it.
import { ViatomClientModule } from '@health-bridge/viatom-client';
import type { DataSource } from 'typeorm';
import { DeliveryModule } from '../lib/delivery.module';
import type { DeliveryOptions } from '../lib/delivery.options';

/** For the delivery lib's own specs: the archive and the delivery lib on a real, throw-away database, wired as the api wires them (no delivery worker). */
export async function startDelivery(target: TestDatabaseTarget, webhooks: DeliveryOptions['webhooks']) {
  const opened = new OpenedResources(`delivery on ${target.name}`);
  const database = await opened.step('creating the test database', () => createTestDatabase(target));
  opened.add(() => database.drop());
  const module: TestingModule = await opened.step('compiling the modules', () =>
    Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        ViatomClientModule.forRoot({ baseUrl: 'http://127.0.0.1:9', secret: 'test-secret', accessToken: 'test-token', timeoutMs: 2000 }),
        HealthArchiveModule.forRoot({ database: database.options, dataProtection: database.keys, isGlobal: true }),
        DeliveryModule.forRoot({ worker: false, webhooks }),
      ],
    }).compile(),
  );
  opened.add(() => module.close());
  await opened.step('starting the modules', () => module.init());
  return { module, dataSource: module.get<DataSource>(HEALTH_ARCHIVE_DATA_SOURCE), close: () => opened.close() };
}
