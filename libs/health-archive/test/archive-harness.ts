import { EventEmitterModule, EventEmitter2 } from '@nestjs/event-emitter';
import { Test, TestingModule } from '@nestjs/testing';
import { validatePush, type ViatomPush, type ViatomPushWire } from '@health-bridge/viatom-protocol';
import { testPush, type TestPushOverrides } from '@health-bridge/viatom-protocol/testing';
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { createTestDatabase, HEALTH_ARCHIVE_DATA_SOURCE, OpenedResources, TestDatabaseTarget } from '../src/testing';
import type { DataSource } from 'typeorm';
import { HealthArchiveModule, type HealthArchiveOptions } from '../src';

export interface ArchiveHarness {
  module: TestingModule;
  dataSource: DataSource;
  events: Array<{ name: string; payload: unknown }>;
  close(): Promise<void>;
}

/** The archive's real module graph on a real, throw-away database, wired as a host app wires it. */
export async function startArchive(
  target: TestDatabaseTarget,
  viatomBaseUrl = 'http://127.0.0.1:9',
  options: Partial<Omit<HealthArchiveOptions, 'database'>> = {},
): Promise<ArchiveHarness> {
  const opened = new OpenedResources(`startArchive on ${target.name}`);
  const database = await opened.step('creating the test database', () => createTestDatabase(target));
  opened.add(() => database.drop());
  const module = await opened.step('compiling the archive module', () =>
    Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot({ wildcard: true }),
        ViatomClientModule.forRoot({ baseUrl: viatomBaseUrl, secret: 'test-secret', accessToken: 'test-token', timeoutMs: 2000 }),
        HealthArchiveModule.forRoot({ database: database.options, dataProtection: database.keys, ...options }),
      ],
    }).compile(),
  );
  opened.add(() => module.close());
  await opened.step('starting the archive module', () => module.init());
  const events: ArchiveHarness['events'] = [];
  module.get(EventEmitter2).onAny((name: string | string[], payload: unknown) => {
    events.push({ name: String(name), payload });
  });
  return {
    module,
    dataSource: module.get<DataSource>(HEALTH_ARCHIVE_DATA_SOURCE),
    events,
    close: () => opened.close(),
  };
}

/** A wire push as Viatom would send it (the protocol's one test factory), for this lib's default phone. */
export function wirePush(overrides: TestPushOverrides = {}): ViatomPushWire {
  return testPush({ phone: '15300001111', ...overrides });
}

export function parsed(wire: unknown): ViatomPush {
  const result = validatePush(wire);
  if (!result.ok) throw new Error(`test push is invalid: ${result.errors.join('; ')}`);
  return result.push;
}
