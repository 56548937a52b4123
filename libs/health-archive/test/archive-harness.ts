import { EventEmitterModule, EventEmitter2 } from '@nestjs/event-emitter';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { validatePush, type ViatomPush, type ViatomPushWire } from '@health-bridge/viatom-protocol';
import { ViatomClientModule } from '@health-bridge/viatom-client';
import { createTestDatabase, OpenedResources, TestDatabaseTarget } from '../src/testing';
import { DataSource } from 'typeorm';
import { HealthArchiveModule, healthArchiveDataSourceOptions } from '../src';

export interface ArchiveHarness {
  module: TestingModule;
  dataSource: DataSource;
  events: Array<{ name: string; payload: unknown }>;
  close(): Promise<void>;
}

/** The archive's real module graph on a real, throw-away database. */
export async function startArchive(target: TestDatabaseTarget, viatomBaseUrl = 'http://127.0.0.1:9'): Promise<ArchiveHarness> {
  const opened = new OpenedResources(`startArchive on ${target.name}`);
  const database = await opened.step('creating the test database', () => createTestDatabase(target));
  opened.add(() => database.drop());
  const module = await opened.step('compiling the archive module', () =>
    Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot({ wildcard: true }),
        TypeOrmModule.forRoot(healthArchiveDataSourceOptions({ ...database.options, migrationsRun: true })),
        ViatomClientModule.forRoot({ baseUrl: viatomBaseUrl, secret: 'test-secret', accessToken: 'test-token', timeoutMs: 2000 }),
        HealthArchiveModule,
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
    dataSource: module.get(DataSource),
    events,
    close: () => opened.close(),
  };
}

let tagCounter = 0;
/** A wire push as Viatom would send it, then validated like the receiver does. */
export function wirePush(overrides: Partial<ViatomPushWire> & { phone?: string; time?: string } = {}): ViatomPushWire {
  const { phone = '15300001111', time = '2022-12-29 16:33:40', ...rest } = overrides;
  return {
    type: 2,
    data_tag: `tag-${++tagCounter}-${Math.random().toString(16).slice(2)}`,
    account_id: 'OA==|MTEx',
    member_id: 'OA==|LTE=',
    device_sn: '',
    data: { phone },
    user_info: {},
    create_time: time,
    update_time: time,
    ...rest,
  };
}

export function parsed(wire: unknown): ViatomPush {
  const result = validatePush(wire);
  if (!result.ok) throw new Error(`test push is invalid: ${result.errors.join('; ')}`);
  return result.push;
}
